"""Issuing (and voiding) invoices one at a time: validate everything first, then write the invoice, lines and
event in one transaction so nothing is ever half-written. The rules live in issue_rules.py and the rows in
issue_rows.py, shared with the batch path (issue_batch.py)."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from invoices.ledger.models import (
    ELECTRONIC_KINDS,
    Direction,
    Invoice,
    InvoiceEventKind,
    InvoiceLine,
    InvoiceStatus,
)
from invoices.ledger.services.events import invoice_event_record
from invoices.ledger.services.issue_rows import (
    invoice_row,
    issued_event_fields,
    line_rows,
    red_flushed_event_fields,
)
from invoices.ledger.services.issue_rules import (
    SPECIAL_KINDS,  # noqa: F401  re-exported for callers that used to find it here
    InvoiceLineInput,  # noqa: F401  re-exported: services/__init__ and callers import it from here
    check_issue,
    message_dict,
    number_taken_message,
    status_after_red,
)
from invoices.ledger.services.numbers import allocate_digital_number
from invoices.signals import invoice_issued, invoices_awaiting_upload


def flushed_by_reds(original):
    """What red invoices already took from `original` (negative sums, None when there is none)."""
    return original.corrections.filter(direction=Direction.RED).aggregate(
        amount=Sum("amount"), tax=Sum("tax_amount"), total=Sum("total")
    )


@transaction.atomic
def invoice_issue(
    *,
    actor,
    seller,
    buyer,
    kind,
    lines,
    issued_at=None,
    number="",
    code="",
    direction=Direction.BLUE,
    original=None,
    remarks="",
    drawer="",
    buyer_name=None,
    buyer_tax_id=None,
    sync_status=None,
):
    """Validate and record an issued invoice. Raises ValidationError naming every bad field at once.

    A new invoice is `pending` and queued for upload to the platform after commit. Passing `sync_status`
    records that state as given and queues nothing: for the demo seed and imports of historical data."""
    if original is not None:
        original = Invoice.objects.select_for_update().get(pk=original.pk)
    draft, errors = check_issue(
        seller=seller, buyer=buyer, kind=kind, lines=lines, issued_at=issued_at, number=number, code=code,
        direction=direction, original=original, remarks=remarks, drawer=drawer, buyer_name=buyer_name,
        buyer_tax_id=buyer_tax_id, sync_status=sync_status, flushed_of=flushed_by_reds,
    )
    if not errors and draft.number and Invoice.objects.filter(code=draft.code, number=draft.number).exists():
        errors["number"] = number_taken_message(draft.code, draft.number)
    if errors:
        raise ValidationError(message_dict(errors))

    if not draft.number:
        draft.number = allocate_digital_number(seller=seller, issued_at=draft.issued_at)
    invoice = invoice_row(draft, actor=actor)
    invoice.save(force_insert=True)
    InvoiceLine.objects.bulk_create(line_rows(invoice, draft))
    invoice_event_record(invoice=invoice, actor=actor, **issued_event_fields(invoice, draft))
    if draft.direction == Direction.RED:
        _follow_original_status(draft.original, actor=actor, red=invoice)
    if draft.queue_upload:
        invoices_awaiting_upload.send(sender=Invoice, invoice_ids=[invoice.pk], batch=False)
    # In the issuing transaction: a receiver enqueues its job in it (core/jobs), so it exists iff the invoice does.
    invoice_issued.send(sender=Invoice, invoice_id=invoice.pk, actor_id=getattr(actor, "pk", None))
    invoice.warnings = draft.warnings
    return invoice


def _follow_original_status(original, *, actor, red):
    flushed_total = -(original.corrections.filter(direction=Direction.RED).aggregate(t=Sum("total"))["t"] or 0)
    new_status = status_after_red(original, flushed_total)
    if new_status != original.status:
        old = original.status
        original.status = new_status
        original.save(update_fields=["status"])
        invoice_event_record(invoice=original, actor=actor, **red_flushed_event_fields(red=red, old=old, new=new_status))


@transaction.atomic
def invoice_void(*, invoice, actor, reason):
    """Void a legacy paper invoice within its issuing month. 数电 and electronic invoices are never voided:
    they are corrected with a red invoice."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.kind in ELECTRONIC_KINDS:
        raise ValidationError({"status": [_("An electronic invoice cannot be voided; issue a red invoice instead.")]})
    if invoice.status != InvoiceStatus.ISSUED:
        raise ValidationError({"status": [_("Only an issued invoice can be voided.")]})
    now, issued = timezone.localtime(), timezone.localtime(invoice.issued_at)
    if (now.year, now.month) != (issued.year, issued.month):
        raise ValidationError({"status": [_("A paper invoice can only be voided in the month it was issued.")]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("A reason is required to void an invoice.")]})
    invoice.status = InvoiceStatus.VOID
    invoice.save(update_fields=["status"])
    invoice_event_record(
        invoice=invoice, kind=InvoiceEventKind.STATUS_CHANGED, actor=actor,
        code="invoice.voided", params={"r": reason}, data={"from": InvoiceStatus.ISSUED, "to": InvoiceStatus.VOID},
    )
    return invoice
