"""Resolving a discrepancy: re-sync, mark missing (the incidents app opens an incident from the signal),
manual entry (补录) through the issue service, or ignore with a reason. Each is recorded on the discrepancy
with actor and time, and as an InvoiceEvent when there is an invoice."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core.event_texts import fact
from invoices.ledger.identifiers import normalize_text
from invoices.ledger.locks import lock_invoice
from invoices.ledger.models import (
    Customer,
    Direction,
    Invoice,
    InvoiceEventKind,
    SyncStatus,
)
from invoices.ledger.money import LINE_TAX_TOLERANCE, line_tax, rates_on, to_decimal
from invoices.ledger.services.customers import customer_create
from invoices.ledger.services.events import invoice_event_record
from invoices.ledger.services.issue import invoice_issue
from invoices.ledger.services.issue_rules import InvoiceLineInput
from invoices.platform.services.sync import invoice_sync_request
from invoices.reconciliation.models import Discrepancy, DiscrepancyKind, Resolution
from invoices.signals import invoice_verify_failed

WITH_INVOICE = (DiscrepancyKind.MISSING_ON_PLATFORM, DiscrepancyKind.AMOUNT_MISMATCH,
                DiscrepancyKind.STATUS_MISMATCH, DiscrepancyKind.BUYER_MISMATCH)


def _lock_open(discrepancy, allowed_kinds=None):
    item = Discrepancy.objects.select_for_update().get(pk=discrepancy.pk)
    if item.resolution:
        raise ValidationError({"resolution": [_("This discrepancy is already resolved (%(r)s).") % {
            "r": item.get_resolution_display()}]})
    if allowed_kinds and item.kind not in allowed_kinds:
        raise ValidationError({"kind": [_("This resolution does not apply to a discrepancy of kind %(k)s.") % {
            "k": item.get_kind_display()}]})
    return item


def _resolve(item, *, resolution, actor, note="", invoice=None):
    item.resolution = resolution
    item.resolution_note = str(note)
    item.resolved_by = actor
    item.resolved_at = timezone.now()
    fields = ["resolution", "resolution_note", "resolved_by", "resolved_at"]
    if invoice is not None and item.invoice_id != invoice.pk:
        item.invoice = invoice
        fields.append("invoice")
    item.save(update_fields=fields)
    target = invoice or (Invoice.objects.get(pk=item.invoice_id) if item.invoice_id else None)
    if target is not None:
        invoice_event_record(
            invoice=target, kind=InvoiceEventKind.RECONCILED, actor=actor,
            code="invoice.reconciliation.resolved", params={
                "kind": item.kind, "run": item.run_id, "res": item.resolution, "note": note},
            data={"run_id": item.run_id, "discrepancy_id": item.pk, "resolution": resolution},
        )
    return item


@transaction.atomic
def discrepancy_resync(*, discrepancy, actor):
    item = _lock_open(discrepancy, WITH_INVOICE)
    invoice_sync_request(invoice_id=item.invoice_id, actor=actor,
                         reason=fact("invoice.reconciliation.run", run=item.run_id))
    return _resolve(item, resolution=Resolution.RESYNC, actor=actor)


@transaction.atomic
def discrepancy_mark_missing(*, discrepancy, actor):
    item = _lock_open(discrepancy, (DiscrepancyKind.MISSING_ON_PLATFORM,))
    invoice = lock_invoice(item.invoice_id)
    if invoice.sync_status != SyncStatus.MISSING:
        invoice.sync_status = SyncStatus.MISSING
        invoice.save(update_fields=["sync_status"])
    _resolve(item, resolution=Resolution.MARKED_MISSING, actor=actor)
    detail = {"source": "reconciliation", "run_id": item.run_id, "discrepancy_id": item.pk}
    invoice_verify_failed.send(sender=Invoice, invoice_id=invoice.pk, outcome="missing", detail=detail)
    return item


@transaction.atomic
def discrepancy_ignore(*, discrepancy, actor, reason):
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why this discrepancy is ignored.")]})
    item = _lock_open(discrepancy)
    return _resolve(item, resolution=Resolution.IGNORED, actor=actor, note=reason.strip())


def _infer_rate(amount, tax, day=None):
    """The rate whose tax on `amount` is nearest `tax`, within the per-line tolerance; among equally near ones the
    more common (TAX_RATES' order: 1.00 at 0.01 fits both 1% and 0.5%). Historic rates count only for an invoice
    issued while they were in force. None when no rate fits."""
    candidates = rates_on(day)
    fits = [(abs(line_tax(amount, rate) - tax), n, rate) for n, rate in enumerate(candidates)]
    fits = [fit for fit in fits if fit[0] <= LINE_TAX_TOLERANCE]
    return min(fits)[2] if fits else None


def manual_entry_plan(item, *, seller=None, line_name="", tax_rate=None):
    """Exactly what 补录 of a missing-in-ledger discrepancy would write, without writing it: invoice_issue's
    arguments, the buyer found by tax id (None: it will be created) and the one summary line. The platform's
    basic sheet has no lines, so one summary line carries the amounts; its rate is inferred from 税额/金额 unless
    given. Raises ValidationError naming the field when something cannot be written."""
    if item.kind != DiscrepancyKind.MISSING_IN_LEDGER:
        raise ValidationError({"kind": [_("This resolution does not apply to a discrepancy of kind %(k)s.") % {
            "k": item.get_kind_display()}]})
    data = item.platform_data or {}
    errors = {}
    amount, tax = to_decimal(data.get("amount") or 0), to_decimal(data.get("tax_amount") or 0)
    issued_at = parse_datetime(data.get("issued_at") or "")
    day = timezone.localtime(issued_at).date() if issued_at and timezone.is_aware(issued_at) else None
    rate = to_decimal(tax_rate) if tax_rate not in (None, "") else _infer_rate(amount, tax, day)
    if rate is None:
        errors["tax_rate"] = [_("No tax rate in use fits 税额 %(t)s on 金额 %(a)s; give the rate.") % {
            "t": tax, "a": amount}]
    if issued_at is None:
        errors["issued_at"] = [_("The platform row has no usable 开票日期.")]
    direction = data.get("direction") or Direction.BLUE
    original = None
    if direction == Direction.RED:
        # 备注 names a legacy original by 发票代码 and 号码, a 数电 one by its number alone (find_red_link).
        code, number = data.get("original_code") or "", data.get("original_number") or ""
        original = Invoice.objects.filter(code=code, number=number or "-").first()
        if original is None:
            errors["original"] = [_("The red invoice's blue original %(n)s is not in the ledger; enter it first.")
                                  % {"n": f"{code}-{number}" if code and number else number or "∅"}]
    if errors:
        raise ValidationError(errors)
    tax_id = normalize_text(data.get("buyer_tax_id"))
    buyer = Customer.objects.filter(tax_id=tax_id).first() if tax_id else None
    return {
        "seller": seller or item.run.seller, "buyer": buyer, "kind": data.get("kind"), "code": data.get("code") or "",
        "number": data.get("number") or "", "issued_at": issued_at, "direction": direction, "original": original,
        "remarks": data.get("remarks") or "", "drawer": data.get("drawer") or "",
        "buyer_name": data.get("buyer_name") or (buyer.name if buyer else ""), "buyer_tax_id": tax_id,
        # One summary line: the basic sheet has no lines, hence no 税收分类编码 and no zero-rate flag to record.
        "line": {"name": line_name or _("Manual entry of %(n)s") % {"n": item.number}, "amount": amount,
                 "tax_rate": rate, "tax_amount": tax},
        "total": amount + tax,
    }


def discrepancy_manual_entry_preview(*, discrepancy, seller=None, line_name="", tax_rate=None):
    """The review page's content: what discrepancy_manual_entry would write with these arguments."""
    if discrepancy.resolution:
        raise ValidationError({"resolution": [_("This discrepancy is already resolved (%(r)s).") % {
            "r": discrepancy.get_resolution_display()}]})
    return manual_entry_plan(discrepancy, seller=seller, line_name=line_name, tax_rate=tax_rate)


@transaction.atomic
def discrepancy_manual_entry(*, discrepancy, actor, seller=None, line_name="", tax_rate=None):
    """补录: record in the ledger an invoice the platform has and the ledger lacks, through invoice_issue (every
    ledger rule applies), exactly as manual_entry_plan shows it."""
    item = _lock_open(discrepancy, (DiscrepancyKind.MISSING_IN_LEDGER,))
    plan = manual_entry_plan(item, seller=seller, line_name=line_name, tax_rate=tax_rate)
    buyer = plan.pop("buyer")
    line, _total = plan.pop("line"), plan.pop("total")
    if buyer is None:
        buyer = customer_create(actor=actor, name=plan["buyer_name"], tax_id=plan["buyer_tax_id"])
    plan["buyer_name"] = plan["buyer_name"] or buyer.name
    summary = InvoiceLineInput.from_dict(line)
    summary.recorded_summary = True  # the issue rules then ask no 税收分类编码 or zero-rate flag of it
    invoice = invoice_issue(actor=actor, buyer=buyer, sync_status=SyncStatus.SYNCED, lines=[summary], **plan)
    label = f"{invoice.code}-{invoice.number}" if invoice.code else invoice.number
    return _resolve(item, resolution=Resolution.MANUAL_ENTRY, actor=actor, invoice=invoice,
                    note=_("Entered as invoice %(number)s") % {"number": label})
