"""Number allocation and format checks per invoice kind."""
from django.utils import timezone
from django.utils.translation import gettext as _

from core.sequences import take_next_number
from invoices.ledger.identifiers import (
    is_digits,
    looks_like_float_damage,
    normalize_text,
)
from invoices.ledger.models import DIGITAL_KINDS, Invoice, InvoiceKind, NumberSequence

# 10-digit codes are special invoices; general and electronic ones carry 12 digits.
LEGACY_CODE_LENGTH = {
    InvoiceKind.VAT_SPECIAL: 10,
    InvoiceKind.VAT_GENERAL: 12,
    InvoiceKind.VAT_ELECTRONIC_GENERAL: 12,
    InvoiceKind.VAT_ELECTRONIC_SPECIAL: 12,
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
    if kind in DIGITAL_KINDS:
        if code:
            errors["code"] = _("A 数电 invoice has no invoice code; leave it empty.")
        if not is_digits(number, 20):
            errors["number"] = _("A 数电 invoice number has exactly 20 digits (got %(v)s).") % {"v": number or "∅"}
    elif kind in LEGACY_CODE_LENGTH:
        want = LEGACY_CODE_LENGTH[kind]
        if not is_digits(code, want):
            errors["code"] = _("A %(kind)s needs a %(n)d-digit invoice code (got %(v)s).") % {
                "kind": InvoiceKind(kind).label, "n": want, "v": code or "∅",
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
