"""One reconciliation run from file to discrepancies, in bounded chunks so that every django-q2 task stays
well under the cluster's timeout (and so under its retry): LOAD reads up to RECONCILIATION_CHUNK_ROWS rows
into the run's raw and staging tables (raw.py, staging.py); for a run of several parts (staging.py) LEDGER
copies that many of the seller's invoices for the period into the run's ledger snapshot; MATCH compares one part
and finds both the export rows the ledger lacks or disagrees with and the ledger invoices the export lacks,
proposing each invoice's new sync status (applied later by a person, services/apply.py). Each
chunk runs in one transaction that also saves (phase, position) and queues the next chunk; a chunk task whose
(phase, position) is no longer the run's is a redelivery and does nothing, so every chunk's work happens exactly
once."""
import logging

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core.bulk_insert import insert_objects
from core.jobs import dispatch, dispatch_on_commit
from invoices.ledger.models import SyncStatus
from invoices.reconciliation.models import (
    COUNT_FIELDS,
    Discrepancy,
    ProposedChange,
    ReconciliationRun,
    RunPhase,
    RunStatus,
)
from invoices.reconciliation.pipeline import (
    compare,
    load_block,
    load_python,
    load_sql,
    raw,
    snapshot,
    staging,
)
from invoices.reconciliation.pipeline.source import CsvSource, open_source
from invoices.reconciliation.services import proposals, risk

logger = logging.getLogger(__name__)
DISCREPANCY_BATCH = 2_000


def chunk_rows():
    return getattr(settings, "RECONCILIATION_CHUNK_ROWS", 200_000)


def claim(run_id):
    """Queued → running, once: a redelivered first task finds the run taken and does nothing."""
    now = timezone.now()
    return ReconciliationRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=now, moved_at=now, phase=RunPhase.LOAD, position=0, chunk_attempts=0,
    ) == 1


def max_attempts():
    return getattr(settings, "RECONCILIATION_CHUNK_MAX_ATTEMPTS", 3)


def _gave_up(run_id, phase, position, attempts):
    _fail(run_id, ValueError(_(
        "The chunk at %(phase)s %(position)s was started %(n)s times without finishing (it timed out or its "
        "worker died); the run stops here. Upload the file again, split into smaller files, or raise "
        "RECONCILIATION_CHUNK_MAX_ATTEMPTS.") % {"phase": phase, "position": position, "n": attempts}))


def runs_sweep(*, now=None):
    """Scheduled: queue again the chunk each unfinished run is waiting for. With the Redis broker a killed
    worker's task is gone for good; with either broker a lost task would stall the run. A chunk task that is
    still alive somewhere makes the duplicate find the run moved on, so re-queuing is always safe."""
    from datetime import timedelta

    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.Q_CLUSTER["timeout"] + 5)
    queued = list(ReconciliationRun.objects.filter(status=RunStatus.QUEUED, created_at__lt=stale)
                  .values_list("pk", flat=True)[:100])
    for run_id in queued:
        dispatch("reconciliation.run", run_id=run_id, task_name=f"reconcile-run-{run_id}")
    running = list(ReconciliationRun.objects.annotate(since=Coalesce("moved_at", "started_at"))
                   .filter(status=RunStatus.RUNNING, since__lt=stale)
                   .values_list("pk", "phase", "position", "chunk_attempts")[:100])
    for run_id, phase, position, attempts in running:
        if attempts >= max_attempts():
            _gave_up(run_id, phase, position, attempts)
        else:
            _queue(run_id, phase, position)
    return len(queued) + len(running)


def execute(run_id, *, chunk_rows=None):
    """Run every chunk in this process (tests, the benchmark, a shell). Returns the counts, or None when the
    run was not queued or failed."""
    if not claim(run_id):
        return None
    step = (RunPhase.LOAD, 0)
    while step:
        step = run_chunk(run_id, *step, size=chunk_rows, queue_next=False)
    run = ReconciliationRun.objects.get(pk=run_id)
    return run.counts() if run.status == RunStatus.DONE else None


def run_chunk(run_id, phase, position, *, size=None, queue_next=True):
    """Do one chunk if the run still stands at (phase, position); returns the next (phase, position), or None
    when the run is finished, failed, or already past this chunk (a redelivered task)."""
    size = size or chunk_rows()
    # Counted in its own transaction before the work: a chunk killed half-way (timeout, kill -9) rolls its work
    # back but not this, so a chunk that can never finish ends the run instead of being re-queued for ever.
    started = ReconciliationRun.objects.filter(pk=run_id, status=RunStatus.RUNNING, phase=phase,
                                               position=position).update(chunk_attempts=F("chunk_attempts") + 1)
    if started:
        attempts = ReconciliationRun.objects.values_list("chunk_attempts", flat=True).get(pk=run_id)
        if attempts > max_attempts():
            _gave_up(run_id, phase, position, attempts - 1)
            return None
    try:
        with transaction.atomic():
            run = ReconciliationRun.objects.select_for_update().select_related("seller").filter(pk=run_id).first()
            if run is None or run.status != RunStatus.RUNNING or (run.phase, run.position) != (phase, position):
                return None
            if connection.vendor == "postgresql":
                # The working tables are fresh and unanalysed, so the planner's costs are guesses that cross
                # jit_above_cost: compiling each statement (~0.25 s) would cost more than it saves. With twice
                # this (hash_mem_multiplier) the planner expects a part's hash join to hold a million ledger rows
                # (~130 MB by its estimate, ~75 MB in fact) in memory, in one batch; larger parts spill in
                # batches.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL jit = off")
                    cursor.execute("SET LOCAL work_mem = '96MB'")
            step = STEPS[phase](run, position, size)
            if step is None:
                _finish(run)
            else:
                run.phase, run.position = step
                run.chunk_attempts, run.moved_at = 0, timezone.now()
            run.save()
            if step is not None and queue_next:
                _queue(run_id, *step)
            return step
    except Exception as exc:  # the run records why it failed; nothing half-compared is kept
        logger.exception("reconciliation run %s failed in %s at %s", run_id, phase, position)
        _fail(run_id, exc)
        return None


def _queue(run_id, phase, position):
    chunk = dict(run_id=run_id, phase=str(phase), position=position,
                 task_name=f"reconcile-run-{run_id}-{phase}-{position}")
    q_cluster = settings.Q_CLUSTER
    if q_cluster.get("orm") and not q_cluster.get("sync"):
        # The ORM broker's queue row is written in this transaction: the next chunk is queued if and only if
        # this chunk's progress commits, even if the worker dies right after the commit.
        dispatch("reconciliation.chunk", **chunk)
    else:
        dispatch_on_commit("reconciliation.chunk", **chunk)


def _fail(run_id, exc):
    staging.drop(run_id)
    Discrepancy.objects.filter(run_id=run_id).delete()
    ProposedChange.objects.filter(run_id=run_id).delete()
    message = "; ".join(sum(exc.message_dict.values(), [])) if hasattr(exc, "message_dict") else str(exc)
    ReconciliationRun.objects.filter(pk=run_id).update(
        status=RunStatus.FAILED, error=message, finished_at=timezone.now()
    )


def _load(run, position, size):
    postgres = connection.vendor == "postgresql"
    with run.file.open("rb") as fileobj:
        source = open_source(fileobj)
        if not position:
            run.file_format = source.fmt
            start, end = snapshot.period_bounds(run.period_start, run.period_end)
            ledger_rows = snapshot.estimate_ledger(run.seller_id, start, end) if postgres else 0
            run.parts = staging.parts_for(source.estimate_rows(), ledger_rows)
            staging.create(run.pk, run.parts)
            if postgres:
                raw.create(run, run.parts, load_block.extra_columns(source) if isinstance(source, CsvSource) else ())
        counts = None
        if postgres and isinstance(source, CsvSource) and settings.RECONCILIATION_COPY_BLOCKS:
            counts = load_block.load_block(run, source, position, size, run.rows_read + 1)
        if counts is None:
            loader = load_sql if postgres else load_python
            counts = loader.load_chunk(run, source, source.rows(position, size), run.rows_read + 1)
        loaded, unreadable = counts
    run.rows_read += loaded
    run.count_unreadable += unreadable
    if not source.exhausted:
        return RunPhase.LOAD, source.end
    return (RunPhase.LEDGER, 0) if run.parts > 1 else (RunPhase.MATCH, 0)


def _ledger(run, position, size):
    _copied, last = snapshot.snapshot_ledger(run, after=position, size=size)
    return (RunPhase.LEDGER, last) if last else (RunPhase.MATCH, 0)


def _match(run, position, size):
    if connection.vendor == "postgresql":
        run.count_unreadable += raw.prepare(run, position)
    list(_saved(run, compare.duplicates(run, position)))
    compare.match_part(run, position)
    mismatched = []
    for item in _saved(run, compare.staged_discrepancies(run, position)):
        if item.invoice_id:
            mismatched.append(item.invoice_id)
    missing = [item.invoice_id for item in _saved(run, compare.ledger_missing(run))]
    matching, in_ledger = compare.count_matching(run, position)
    run.rows_matched += matching
    run.ledger_invoices += in_ledger
    # The run only proposes: services/apply.py changes the invoices when finance applies it.
    proposals.note_outside_period(run)
    proposals.propose_matched(run)
    # 发票风险等级 is the platform's to say: taken now, not proposed (services/risk.py).
    risk.invoices_risk_take(run=run, changes=compare.risk_changes())
    compare.drop_match()
    proposals.propose_for(run, mismatched, SyncStatus.MISMATCH)
    proposals.propose_for(run, missing, SyncStatus.MISSING)
    return (RunPhase.MATCH, position + 1) if position + 1 < run.parts else None


def _finish(run):
    run.status, run.finished_at = RunStatus.DONE, timezone.now()
    staging.drop(run.pk)
    proposals.summarise(run)


def _saved(run, discrepancies):
    """Save discrepancies in batches, add them to the run's counts, and yield each one saved."""
    buffer = []
    for item in discrepancies:
        field = COUNT_FIELDS[item.kind]
        setattr(run, field, getattr(run, field) + 1)
        buffer.append(item)
        if len(buffer) >= DISCREPANCY_BATCH:
            insert_objects(Discrepancy, buffer)
            yield from buffer
            buffer = []
    insert_objects(Discrepancy, buffer)
    yield from buffer


STEPS = {RunPhase.LOAD: _load, RunPhase.LEDGER: _ledger, RunPhase.MATCH: _match}
