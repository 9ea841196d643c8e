"""Number allocation and format checks per invoice kind."""
from django.utils import timezone
from django.utils.translation import gettext as _

from core.sequences import take_next_number
from invoices.ledger.identifiers import (
    is_digits,
    looks_like_float_damage,
    normalize_text,
)
from invoices.ledger.models import Invoice, InvoiceKind, NumberSequence

# Every 数电 kind (e-invoice, 数电 paper, 数电 motor vehicle) is identified by its 20-digit number alone, as
# reconciliation reads them (a kind starting with "digital").
NUMBER_ONLY_KINDS = frozenset(k for k in InvoiceKind.values if k.startswith("digital"))
# Legacy 发票代码 lengths per kind: 10 digits for special invoices, 12 for general, electronic and motor-vehicle ones;
# paper 普票 (including the roll) issued before 2018 carry 10-digit codes too, as the platform's export shows them.
LEGACY_CODE_LENGTHS = {
    InvoiceKind.VAT_SPECIAL: (10,),
    InvoiceKind.VAT_GENERAL: (10, 12),
    InvoiceKind.VAT_GENERAL_ROLL: (10, 12),
    InvoiceKind.VAT_ELECTRONIC_GENERAL: (12,),
    InvoiceKind.VAT_ELECTRONIC_SPECIAL: (12,),
    InvoiceKind.MOTOR_VEHICLE: (12,),
}


def check_number_format(kind, code, number):
    """Return {field: message} for what is wrong with this kind's code and number."""
    errors = {}
    if looks_like_float_damage(number):
        errors["number"] = _(
            "Invoice number %(v)s looks like a number damaged by a spreadsheet (scientific notation or "
            "a trailing .0); re-export it as text."
        ) % {"v": number}
        return errors
    if kind in NUMBER_ONLY_KINDS:
        if code:
            errors["code"] = _("A 数电 invoice has no invoice code; leave it empty.")
        if not is_digits(number, 20):
            errors["number"] = _("A 数电 invoice number has exactly 20 digits (got %(v)s).") % {"v": number or "∅"}
    elif kind in LEGACY_CODE_LENGTHS:
        lengths = LEGACY_CODE_LENGTHS[kind]
        if not any(is_digits(code, n) for n in lengths):
            errors["code"] = _("A %(kind)s needs a %(n)s-digit invoice code (got %(v)s).") % {
                "kind": InvoiceKind(kind).label, "n": _(" or ").join(str(n) for n in lengths), "v": code or "∅",
            }
        if not is_digits(number, 8):
            errors["number"] = _("A legacy invoice number has exactly 8 digits (got %(v)s).") % {"v": number or "∅"}
    return errors


def allocate_digital_number(*, seller, issued_at, channel="2"):
    """YY + province + channel + 15-digit sequence; the sequence row is locked while we take one."""
    year = timezone.localtime(issued_at).year
    return take_next_number(
        NumberSequence, {"seller": seller, "year": year, "channel": channel},
        prefix=f"{year % 100:02d}{seller.region_code}{channel}",
        taken=lambda number: Invoice.objects.filter(code="", number=number).exists(),
    )


def normalize_number(value):
    return normalize_text(value)
