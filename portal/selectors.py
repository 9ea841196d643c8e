"""The portal's reads: an invoice found only when number, buyer tax id and total (or date) all match."""
import hmac
import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from invoices.ledger.models import Direction, Invoice, InvoiceStatus, SyncStatus
from invoices.reissue.models import RedLetterFormStatus, ReissueRequest, ReissueStatus

DIGITS = re.compile(r"[^0-9]")
# What a total can be: the ledger keeps 14 digits before the point and 2 after; no exponent ("1e26").
AMOUNT = re.compile(r"-?[0-9]{1,14}(?:\.[0-9]{0,2})?")


def _ascii(value):
    # What Chinese input methods type (２６１１…, ９１１１…Ｆ, １２３．４５) is the same number to the customer.
    return unicodedata.normalize("NFKC", value or "")


def clean_digits(value):
    return DIGITS.sub("", _ascii(value))


def clean_tax_id(value):
    return re.sub(r"\s", "", _ascii(value)).upper()


def parse_amount(value):
    text = re.sub(r"[\s,¥￥元]", "", _ascii(value))
    if not text or not AMOUNT.fullmatch(text):
        return None
    try:
        return Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def _same(a, b):
    return hmac.compare_digest(str(a).encode(), str(b).encode())


def invoice_lookup(*, number, code="", buyer_tax_id, total=None, issued_on=None):
    """The invoice when every given detail matches, else None. The same work is done for an unknown number
    and for a wrong detail (every candidate is compared on every field), so timing says nothing about which."""
    number, code, tax_id = clean_digits(number), clean_digits(code), clean_tax_id(buyer_tax_id)
    candidates = list(
        Invoice.objects.filter(number=number, code=code).select_related("seller", "buyer")[:5]
    ) if number else []
    found = None
    for invoice in candidates or [None]:
        ok = _same(invoice.buyer_tax_id.upper() if invoice else "-", tax_id)
        if total is not None:
            ok &= _same(invoice.total if invoice else "-", total)
        elif issued_on is not None:
            ok &= _same(timezone.localtime(invoice.issued_at).date() if invoice else "-", issued_on)
        else:
            ok = False
        if ok and invoice is not None and found is None:
            found = invoice
    return found


@dataclass
class PortalStatus:
    key: str
    new_invoice: Invoice | None = None
    form_number: str = ""
    deadline: object = None
    red_numbers: str = ""        # the red invoices against this one, "、"-joined
    credited: Decimal | None = None  # what they credited (negative)
    remaining: Decimal | None = None  # what stays valid
    original: Invoice | None = None  # for a red invoice: the one it cancels
    queryable_from: object = None  # the day the national 查验平台 shows it


def _form_waiting_for_buyer(invoice):
    """The seller's red-letter form for this invoice that waits for the buyer's confirmation (02), if any."""
    req = (ReissueRequest.objects.filter(original=invoice, status=ReissueStatus.APPROVED,
                                         red_letter_form__status=RedLetterFormStatus.SELLER_ENTERED)
           .select_related("red_letter_form").first())
    return req.red_letter_form if req else None


def _reds(invoice):
    reds = list(Invoice.objects.filter(original_id=invoice.pk, direction=Direction.RED)
                .order_by("issued_at", "pk").values_list("number", "total"))
    credited = sum((total for _n, total in reds), Decimal("0.00"))
    return "、".join(n for n, _t in reds), credited


def invoice_portal_status(invoice):
    """Where the invoice stands, each state a fact of the ledger in the customer's terms: our upload is not the
    national 查验平台 (which shows an invoice from the day after issue), a partial red-flush leaves the invoice valid
    for the rest, a voided paper invoice was voided (作废), not red-flushed, and a red invoice names what it cancels."""
    form = _form_waiting_for_buyer(invoice)
    if form is not None:
        return PortalStatus("awaiting_buyer", form_number=form.number,
                            deadline=timezone.localtime(form.lapses_at) if form.lapses_at else None)
    if invoice.direction == Direction.RED:
        return PortalStatus("red_invoice", original=invoice.original)
    if invoice.status == InvoiceStatus.VOID:
        return PortalStatus("void")
    if invoice.status == InvoiceStatus.RED_FLUSHED:
        done = (ReissueRequest.objects.filter(original_id=invoice.pk, status=ReissueStatus.COMPLETED,
                                              new_invoice__isnull=False)
                .select_related("new_invoice").order_by("-completed_at").first())
        numbers, credited = _reds(invoice)
        if done:
            return PortalStatus("reissued", done.new_invoice, red_numbers=numbers)
        return PortalStatus("red_flushed", red_numbers=numbers)
    if invoice.status == InvoiceStatus.PARTIALLY_RED_FLUSHED:
        numbers, credited = _reds(invoice)
        return PortalStatus("partly_red_flushed", red_numbers=numbers, credited=credited,
                            remaining=invoice.total + credited)
    if invoice.sync_status == SyncStatus.SYNCED:
        issued_on = timezone.localtime(invoice.issued_at).date() if invoice.issued_at else timezone.localdate()
        queryable_from = issued_on + timedelta(days=1)
        key = "uploaded_today" if timezone.localdate() < queryable_from else "on_platform"
        return PortalStatus(key, queryable_from=queryable_from)
    return PortalStatus({
        SyncStatus.PENDING: "syncing",
        SyncStatus.MISMATCH: "mismatch",
    }.get(invoice.sync_status, "not_synced"))
