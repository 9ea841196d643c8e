"""Platform checks: the seller's invoices of a period as the platform lists them (`list_invoices`, page by page),
compared with the ledger by the reconciliation's own rules (compare.row_discrepancies) and kinds.

- `platform_check_start`: one queued check per seller and period at a time (a partial unique constraint), its run
  queued after commit.
- `platform_check_run`: the job body. Reads the listing a page at a time outside any transaction, writing each
  page's findings and the ledger invoices it saw to the check's tables (memory holds one page, whatever the
  period's size). Only once every page was read does it act: an invoice the ledger holds as synced that the
  platform does not list becomes `missing` and is uploaded again at once through the normal sync (the invoice
  number is the idempotency key: the platform stores it once); an invoice the platform holds otherwise becomes
  `mismatch` and waits for finance (nothing is rewritten); a row the ledger lacks waits for 补录 review. A page that
  fails ends the check `failed` with the reason, having changed no invoice.
"""
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.jobs import enqueue_on_commit
from invoices import signals
from invoices.ledger.locks import lock_invoices
from invoices.ledger.models import Invoice, InvoiceEventKind, SyncStatus
from invoices.ledger.services.events import invoice_event_record
from invoices.platform.export_vocab import STATUS_LOOKUP, normalize_text
from invoices.platform.gateway import PlatformError, get_gateway
from invoices.platform.models import SyncState
from invoices.platform.services.sync import invoice_sync_request
from invoices.reconciliation.models import (
    ACTIVE_CHECK,
    CHECK_COUNT_KEYS,
    CheckOrigin,
    DiscrepancyKind,
    PlatformCheck,
    PlatformCheckFinding,
    PlatformCheckSeen,
    RunStatus,
)
from invoices.reconciliation.pipeline.compare import missing_on_platform_detail, row_discrepancies
from invoices.reconciliation.pipeline.snapshot import period_bounds

LEDGER_FIELDS = ["id", "code", "number", "amount", "tax_amount", "total", "status", "buyer_tax_id", "sync_status"]
MISMATCH_KINDS = [DiscrepancyKind.AMOUNT_MISMATCH, DiscrepancyKind.STATUS_MISMATCH, DiscrepancyKind.BUYER_MISMATCH]
APPLY_BATCH = 500


class CheckAlreadyActive(ValidationError):
    """A check of the same seller and period is queued or running."""


def _active_refusal(seller, issued_from, issued_to):
    return CheckAlreadyActive({"issued_from": [_(
        "A platform check of %(seller)s for %(f)s to %(t)s is already queued or running; wait for it to finish.") % {
            "seller": seller.name, "f": issued_from.isoformat(), "t": issued_to.isoformat()}]})


def platform_check_start(*, seller, issued_from, issued_to, actor=None, origin=CheckOrigin.PERSON):
    """Queue a check of the seller's invoices issued from `issued_from` to `issued_to` (inclusive). Raises
    CheckAlreadyActive while another check of the same seller and period is queued or running."""
    if issued_to < issued_from:
        raise ValidationError({"issued_to": [_("The end of the period cannot be before its start.")]})
    if issued_from > timezone.localdate():
        raise ValidationError({"issued_from": [_("The period cannot start in the future.")]})
    try:
        with transaction.atomic():
            check = PlatformCheck.objects.create(seller=seller, issued_from=issued_from, issued_to=issued_to,
                                                 started_by=actor, origin=origin)
            enqueue_on_commit("reconciliation.platform_check", check_id=check.pk)
    except IntegrityError:
        raise _active_refusal(seller, issued_from, issued_to) from None
    return check


@transaction.atomic
def _claim(check_id):
    check = PlatformCheck.objects.select_for_update().select_related("seller").filter(pk=check_id).first()
    if check is None or check.status != RunStatus.QUEUED:
        return None
    check.status, check.started_at = RunStatus.RUNNING, timezone.now()
    check.save(update_fields=["status", "started_at"])
    return check


def _platform_row(row):
    """A listed row as compare.row_discrepancies reads a staged one: the status as the ledger's code."""
    data = {"code": row.code, "number": row.number, "total": row.total, "buyer_tax_id": row.buyer_tax_id,
            "status": STATUS_LOOKUP.get(normalize_text(row.status), row.status)}
    for name in ("amount", "tax_amount"):
        if getattr(row, name) is not None:
            data[name] = getattr(row, name)
    return data


def _platform_data(row):
    return {"code": row.code, "number": row.number, "status": row.status, "total": str(row.total),
            "amount": "" if row.amount is None else str(row.amount),
            "tax_amount": "" if row.tax_amount is None else str(row.tax_amount), "buyer_tax_id": row.buyer_tax_id,
            "issued_at": row.issued_at.isoformat() if row.issued_at else "", "direction": row.direction}


@transaction.atomic
def _compare_page(check, rows, counts):
    """Compare one page with the ledger: its findings and the ledger invoices it saw, written in one transaction."""
    numbers = {row.number for row in rows}
    ledger = {(inv["code"], inv["number"]): inv for inv in Invoice.objects.filter(
        seller_id=check.seller_id, number__in=numbers).values(*LEDGER_FIELDS)}
    findings, seen = [], []
    for row in rows:
        invoice = ledger.get((row.code, row.number))
        found = list(row_discrepancies(_platform_row(row), invoice))
        for kind, detail in found:
            findings.append(PlatformCheckFinding(
                check_run=check, kind=kind, invoice_id=invoice and invoice["id"], detail=detail,
                number=f"{row.code}-{row.number}" if row.code else row.number, platform_data=_platform_data(row)))
            counts[kind] += 1
        if invoice is not None:
            seen.append(PlatformCheckSeen(check_run=check, invoice_id=invoice["id"]))
            counts["matched"] += not found
    counts["listed"] += len(rows)
    counts["pages"] += 1
    PlatformCheckFinding.objects.bulk_create(findings)
    # A platform listing the same invoice twice (a cursor replayed) is seen once.
    PlatformCheckSeen.objects.bulk_create(seen, ignore_conflicts=True)


def _unseen_synced(check):
    """The period's ledger invoices held as synced that no page listed, by id, a batch at a time."""
    start, end = period_bounds(check.issued_from, check.issued_to)
    base = (Invoice.objects.filter(seller_id=check.seller_id, issued_at__gte=start, issued_at__lt=end,
                                   sync_status=SyncStatus.SYNCED)
            .exclude(pk__in=PlatformCheckSeen.objects.filter(check_run=check).values("invoice_id"))
            .order_by("id"))
    after = 0
    while True:
        batch = list(base.filter(id__gt=after).values("id", "code", "number", "total")[:APPLY_BATCH])
        if not batch:
            return
        after = batch[-1]["id"]
        yield batch


def _record_missing(check, counts):
    for batch in _unseen_synced(check):
        findings = []
        for inv in batch:
            label, detail = missing_on_platform_detail(inv["code"], inv["number"], inv["total"])
            findings.append(PlatformCheckFinding(check_run=check, kind=DiscrepancyKind.MISSING_ON_PLATFORM,
                                                 invoice_id=inv["id"], number=label, detail=detail))
        PlatformCheckFinding.objects.bulk_create(findings)
        counts[DiscrepancyKind.MISSING_ON_PLATFORM] += len(findings)


def platform_check_run(check_id):
    """The job body: read every page, then apply (see the module's docstring). Returns what happened."""
    check = _claim(check_id)
    if check is None:
        return f"check {check_id}: not queued"
    counts = dict.fromkeys(CHECK_COUNT_KEYS, 0)
    gateway, cursor = get_gateway(), None
    size = getattr(settings, "PLATFORM_CHECK_PAGE_SIZE", 1000)
    try:
        while True:
            page = gateway.list_invoices(check.seller.tax_id, check.issued_from, check.issued_to, cursor=cursor,
                                         limit=size)
            _compare_page(check, page.results, counts)
            if page.next_cursor is None:
                break
            if page.next_cursor == cursor:
                raise PlatformError(f"the platform answered page {counts['pages']} with the same cursor {cursor!r}")
            cursor = page.next_cursor
    except PlatformError as exc:
        _fail(check, counts, _("Page %(page)s of the platform's listing could not be read: %(error)s") % {
            "page": counts["pages"] + 1, "error": str(exc)})
        return f"check {check_id}: failed"
    except Exception as exc:
        # A fault of ours (the database, a bug): the check must not stay `running` and block the next one.
        _fail(check, counts, _("The check stopped on page %(page)s: %(error)s") % {
            "page": counts["pages"] + 1, "error": f"{type(exc).__name__}: {exc}"})
        raise
    _record_missing(check, counts)
    _apply(check, counts)
    return f"check {check_id}: " + ", ".join(f"{k} {v}" for k, v in counts.items() if v)


@transaction.atomic
def _fail(check, counts, reason):
    """Nothing of a check that could not read every page stays: no finding, no invoice changed."""
    PlatformCheckFinding.objects.filter(check_run=check).delete()
    PlatformCheckSeen.objects.filter(check_run=check).delete()
    PlatformCheck.objects.filter(pk=check.pk).update(status=RunStatus.FAILED, error=reason, counts=counts,
                                                     finished_at=timezone.now())


@transaction.atomic
def _apply(check, counts):
    check = PlatformCheck.objects.select_for_update().get(pk=check.pk)
    missing, mismatched = [], []
    findings = PlatformCheckFinding.objects.filter(check_run=check, invoice__isnull=False).order_by("id")
    by_invoice = {}
    for finding in findings.filter(kind=DiscrepancyKind.MISSING_ON_PLATFORM):
        by_invoice[finding.invoice_id] = finding
    invoices = lock_invoices(by_invoice)
    for invoice_id, finding in by_invoice.items():
        invoice = invoices[invoice_id]
        if invoice.sync_status != SyncStatus.SYNCED:  # someone acted on it since the page was read
            finding.applied = "left_alone"
            continue
        invoice.sync_status = SyncStatus.MISSING
        invoice.save(update_fields=["sync_status"])
        invoice_event_record(invoice=invoice, kind=InvoiceEventKind.RECONCILED, code="invoice.platform_check.missing",
                             params={"f": check.issued_from.isoformat(), "t": check.issued_to.isoformat()},
                             data={"check_id": check.pk, "from": SyncStatus.SYNCED, "to": SyncStatus.MISSING})
        # The normal sync, under the invoice's own idempotency key: the platform stores it once however often sent.
        invoice_sync_request(invoice_id=invoice_id, actor=None)
        SyncState.objects.filter(invoice_id=invoice_id).update(announce_sync=True)
        finding.applied = "reuploaded"
        missing.append(invoice_id)
    mismatch_findings = {}
    for finding in findings.filter(kind__in=MISMATCH_KINDS):
        mismatch_findings.setdefault(finding.invoice_id, []).append(finding)
    invoices = lock_invoices(mismatch_findings)
    for invoice_id, group in mismatch_findings.items():
        invoice = invoices[invoice_id]
        applied = "left_alone"
        if invoice.sync_status in (SyncStatus.SYNCED, SyncStatus.MISMATCH):
            applied = "flagged"
            mismatched.append(invoice_id)
            if invoice.sync_status == SyncStatus.SYNCED:
                invoice.sync_status = SyncStatus.MISMATCH
                invoice.save(update_fields=["sync_status"])
            invoice_event_record(
                invoice=invoice, kind=InvoiceEventKind.RECONCILED, code="invoice.platform_check.mismatch",
                params={"f": check.issued_from.isoformat(), "t": check.issued_to.isoformat(),
                        "d": "; ".join(f.detail for f in group)},
                data={"check_id": check.pk, "kinds": [f.kind for f in group]})
        for finding in group:
            finding.applied = applied
    PlatformCheckFinding.objects.bulk_update(
        [f for group in [by_invoice.values(), *mismatch_findings.values()] for f in group], ["applied"])
    PlatformCheckFinding.objects.filter(check_run=check, kind=DiscrepancyKind.MISSING_IN_LEDGER).update(
        applied="to_review")
    PlatformCheckSeen.objects.filter(check_run=check).delete()
    check.status, check.counts, check.finished_at = RunStatus.DONE, counts, timezone.now()
    check.save(update_fields=["status", "counts", "finished_at"])
    if missing or mismatched:
        # In this transaction: the incidents app's receiver enqueues the incident's job in it.
        signals.platform_check_found.send(
            sender=PlatformCheck, check_id=check.pk, seller_id=check.seller_id,
            issued_from=check.issued_from.isoformat(), issued_to=check.issued_to.isoformat(),
            missing_ids=missing, mismatch_ids=mismatched, counts=counts)


@transaction.atomic
def platform_check_incident_set(*, check_id, incident_number):
    """The incidents app tells the check which incident holds its findings."""
    PlatformCheck.objects.filter(pk=check_id).update(incident_number=incident_number)


STUCK_AFTER = timedelta(hours=2)


@transaction.atomic
def platform_checks_expire(*, now=None):
    """Fail checks queued or running for longer than any check takes (their job or worker was lost), so the seller's
    period can be checked again; nothing of theirs was applied. Returns how many."""
    now = now or timezone.now()
    stuck = PlatformCheck.objects.select_for_update().filter(status__in=ACTIVE_CHECK, created_at__lt=now - STUCK_AFTER)
    ids = list(stuck.values_list("pk", flat=True))
    PlatformCheckFinding.objects.filter(check_run_id__in=ids).delete()
    PlatformCheckSeen.objects.filter(check_run_id__in=ids).delete()
    return PlatformCheck.objects.filter(pk__in=ids).update(
        status=RunStatus.FAILED, finished_at=now,
        error=_("The check did not finish within %(h)d hours (its task was lost); nothing was changed.") % {
            "h": STUCK_AFTER.total_seconds() // 3600})


def active_check_exists(seller_id, issued_from, issued_to):
    return PlatformCheck.objects.filter(seller_id=seller_id, issued_from=issued_from, issued_to=issued_to,
                                        status__in=ACTIVE_CHECK).exists()
