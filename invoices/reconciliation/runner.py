"""One reconciliation run from file to discrepancies: stream → staging (batches) → set-based compare."""
import logging

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import SyncStatus
from ..models_reconciliation import COUNT_FIELDS, Discrepancy, DiscrepancyKind, ReconciliationRun, RunStatus
from . import compare, staging
from .reader import iter_raw_rows, parse_row, raw_for_json

logger = logging.getLogger(__name__)
DISCREPANCY_BATCH = 2_000


def lease():
    """A running run belongs to its task for as long as django-q2 lets that task live; after that its worker
    is dead (django-q2 kills a task at its timeout) and the run may be taken over."""
    return timedelta(seconds=getattr(settings, "RECONCILIATION_TASK_TIMEOUT", 1800) + 5)


def claim(run_id):
    """Queued → running, once: a redelivered task finds the run taken and does nothing, unless the run's
    lease lapsed (its worker was killed), in which case this task takes it over and starts it afresh."""
    now = timezone.now()
    return ReconciliationRun.objects.filter(pk=run_id).filter(
        Q(status=RunStatus.QUEUED) | Q(status=RunStatus.RUNNING, started_at__lt=now - lease())
    ).update(status=RunStatus.RUNNING, started_at=now) == 1


def runs_sweep(*, now=None):
    """Scheduled: queue again the runs whose task was lost (Redis broker: a killed worker's task is gone) or
    whose worker died mid-run. Returns how many were queued."""
    from ..services.reconciliation import queue_run

    now = now or timezone.now()
    stale = ReconciliationRun.objects.filter(
        Q(status=RunStatus.QUEUED, created_at__lt=now - lease())
        | Q(status=RunStatus.RUNNING, started_at__lt=now - lease())
    ).values_list("pk", flat=True)
    ids = list(stale[:100])
    for run_id in ids:
        queue_run(run_id)
    return len(ids)


def execute(run_id, *, batch_rows=staging.BATCH_ROWS):
    if not claim(run_id):
        return None
    run = ReconciliationRun.objects.select_related("seller").get(pk=run_id)
    # What a killed earlier attempt committed before it died (staged rows, unreadable-row reports, progress).
    staging.clear(run.pk)
    Discrepancy.objects.filter(run=run).delete()
    try:
        counts = _execute(run, batch_rows)
    except Exception as exc:  # the run records why it failed; nothing half-compared is kept
        logger.exception("reconciliation run %s failed", run_id)
        staging.clear(run.pk)
        Discrepancy.objects.filter(run=run).delete()
        message = "; ".join(sum(exc.message_dict.values(), [])) if hasattr(exc, "message_dict") else str(exc)
        ReconciliationRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error=message[:2000], finished_at=timezone.now()
        )
        return None
    return counts


def _execute(run, batch_rows):
    counts = {kind: 0 for kind in DiscrepancyKind.values}
    seller_tax_id = run.seller.tax_id
    batch, unreadable, rows_read = [], [], 0
    with run.file.open("rb") as fileobj:
        gen = iter_raw_rows(fileobj)
        fmt, _columns = next(gen)
        ReconciliationRun.objects.filter(pk=run.pk).update(file_format=fmt)
        for row_no, raw in gen:
            rows_read = row_no
            parsed, reason = parse_row(raw)
            if parsed is not None and parsed.seller_tax_id and parsed.seller_tax_id != seller_tax_id:
                parsed, reason = None, _("Row belongs to seller %(v)s, not to this run's seller %(s)s.") % {
                    "v": parsed.seller_tax_id, "s": seller_tax_id}
            if parsed is None:
                unreadable.append(Discrepancy(
                    run=run, kind=DiscrepancyKind.UNREADABLE, row_no=row_no, detail=reason[:500],
                    number=str(raw.get("digital_number") or raw.get("number") or "")[:40],
                    platform_data=raw_for_json(raw),
                ))
                continue
            batch.append(staging.staging_tuple(run.pk, row_no, parsed))
            if len(batch) >= batch_rows:
                _flush(run, batch, unreadable, rows_read, counts)
                batch, unreadable = [], []
        _flush(run, batch, unreadable, rows_read, counts)

    if staging.connection.vendor == "postgresql":
        staging.analyze()
    for row_no, code, number, first_row in compare.find_duplicates(run.pk):
        counts[DiscrepancyKind.UNREADABLE] += 1
        Discrepancy.objects.create(
            run=run, kind=DiscrepancyKind.UNREADABLE, row_no=row_no, number=f"{code}-{number}" if code else number,
            detail=_("Duplicate of row %(r)s (same invoice number); only the first is compared.") % {"r": first_row},
        )
    start, end = compare.period_bounds(run.period_start, run.period_end)
    seller_id = run.seller_id
    with transaction.atomic():
        status_ids = {SyncStatus.MISSING: [], SyncStatus.MISMATCH: []}
        found = _save_all(compare.staged_discrepancies(run, seller_id=seller_id), counts, status_ids)
        found += _save_all(compare.ledger_missing(run, seller_id=seller_id, start=start, end=end), counts,
                           status_ids)
        joined = compare.count_joined(run.pk, seller_id)
        mismatched_rows = len(set(status_ids[SyncStatus.MISMATCH]))
        actor_id = run.created_by_id
        compare.set_sync_status_matched(run, seller_id=seller_id, actor_id=actor_id)
        compare.set_sync_status_for(run, status_ids[SyncStatus.MISSING], SyncStatus.MISSING, actor_id, _(
            "Reconciliation run #%(run)s: not in the platform export.") % {"run": run.pk})
        compare.set_sync_status_for(run, status_ids[SyncStatus.MISMATCH], SyncStatus.MISMATCH, actor_id, _(
            "Reconciliation run #%(run)s: differs from the platform export.") % {"run": run.pk})
        ReconciliationRun.objects.filter(pk=run.pk).update(
            status=RunStatus.DONE, finished_at=timezone.now(), rows_read=rows_read,
            rows_matched=joined - mismatched_rows, ledger_invoices=compare.count_ledger(seller_id, start, end),
            **{COUNT_FIELDS[k]: v for k, v in counts.items()},
        )
    staging.clear(run.pk)
    return counts


def _flush(run, batch, unreadable, rows_read, counts):
    staging.load_batch(batch)
    if unreadable:
        Discrepancy.objects.bulk_create(unreadable, batch_size=DISCREPANCY_BATCH)
        counts[DiscrepancyKind.UNREADABLE] += len(unreadable)
    # Progress is its own small commit so the run's page can show it while the file is still loading.
    ReconciliationRun.objects.filter(pk=run.pk).update(
        rows_read=rows_read, count_unreadable=counts[DiscrepancyKind.UNREADABLE]
    )


def _save_all(discrepancies, counts, status_ids):
    buffer, total = [], 0
    for item in discrepancies:
        counts[item.kind] += 1
        if item.kind == DiscrepancyKind.MISSING_ON_PLATFORM:
            status_ids[SyncStatus.MISSING].append(item.invoice_id)
        elif item.invoice_id:
            status_ids[SyncStatus.MISMATCH].append(item.invoice_id)
        buffer.append(item)
        if len(buffer) >= DISCREPANCY_BATCH:
            Discrepancy.objects.bulk_create(buffer)
            total += len(buffer)
            buffer = []
    Discrepancy.objects.bulk_create(buffer)
    return total + len(buffer)
