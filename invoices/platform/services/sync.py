"""Getting every invoice onto the tax platform, and proving it is there.

- `invoice_sync_request`: (re)queue one invoice. Refuses an invoice that is `synced` or `mismatch` unless
  `force=True`: re-sending a synced invoice proves nothing (use verify), and re-sending a mismatching one
  cannot change what the platform holds (the upload is idempotent, the platform keeps its copy).
- `invoice_sync_run`: the django-q task body. Takes a claim row so two runs for one invoice never overlap,
  acts only on `pending` invoices (so repeated or late tasks do nothing), and talks to the platform outside
  any transaction. Unavailable → stays pending with a backoff (the sweep re-queues it), `failed` after
  max_attempts; rejected → `failed` at once, with no automatic retry: a refusal of the data needs a person, and so
  does a used-up credit limit (CREDIT_EXCEEDED, its own cause), which only the tax bureau can raise; finance
  re-syncs once it has.
- `invoice_verify`: ask the platform and set `synced`, `missing` or `mismatch`.
- `invoices_resync_bulk`: re-queue failed/pending invoices issued since a time, in batches.
- `invoices_sync_sweep`: the scheduled job; re-queues pending invoices whose retry time has come, and while
  the platform is marked down probes it, so invoices that gave up during an outage (`failed`, never rejected)
  are re-queued by `invoices_requeue_after_outage` as soon as it answers: an outage of any length loses nothing.
"""
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from core.event_texts import fact, text_of
from core.history import change_reason
from invoices import signals
from invoices.ledger.locks import lock_invoice, lock_invoices
from invoices.ledger.models import Invoice, InvoiceEvent, InvoiceEventKind, SyncStatus
from invoices.ledger.services.events import event_text_fields, invoice_event_record
from invoices.platform.gateway import (
    CREDIT_EXCEEDED,
    PLATFORM_STATUS,
    PlatformRejected,
    PlatformUnavailable,
    get_gateway,
)
from invoices.platform.models import (
    PlatformHealth,
    SyncAttempt,
    SyncOperation,
    SyncOutcome,
    SyncState,
)
from invoices.platform.services.sync_support import (
    backoff_seconds,
    claim,
    note_platform,
    queue_sync_task,
    release,
    reset_sync_state,
    sync_conf,
)

RESYNCABLE = (SyncStatus.FAILED, SyncStatus.PENDING, SyncStatus.MISSING, SyncStatus.NOT_SENT)


# --- request -------------------------------------------------------------------------------------------------
@transaction.atomic
def invoice_sync_request(*, invoice_id, actor, reason="", force=False):
    invoice = lock_invoice(invoice_id)
    old = invoice.sync_status
    if old in (SyncStatus.SYNCED, SyncStatus.MISMATCH) and not force:
        raise ValidationError({"sync_status": [
            _("Invoice %(n)s is %(s)s; verify it instead, or force a re-send.") % {
                "n": invoice, "s": SyncStatus(old).label,
            }
        ]})
    if old != SyncStatus.PENDING:
        invoice.sync_status = SyncStatus.PENDING
        invoice.save(update_fields=["sync_status"])
    reset_sync_state([invoice.pk])
    invoice_event_record(
        invoice=invoice, kind=InvoiceEventKind.SYNC_QUEUED, actor=actor,
        code="invoice.sync.requested_reason" if reason else "invoice.sync.requested",
        params={"r": reason} if reason else {},
        data={"from": old, "reason": reason, "forced": bool(force)},
    )
    queue_sync_task(invoice.pk)
    return invoice


# --- run -----------------------------------------------------------------------------------------------------
def invoice_sync_run(invoice_id):
    """Upload one pending invoice. Returns what happened, for the task log."""
    token = claim(invoice_id)
    if token is None:
        return "busy"  # another run holds the claim; it will finish the job
    try:
        invoice = Invoice.objects.select_related("seller", "original").filter(pk=invoice_id).first()
        if invoice is None or invoice.sync_status != SyncStatus.PENDING:
            return "skipped"
        started, clock = timezone.now(), time.monotonic()
        try:
            result = get_gateway().upload(invoice)
        except (PlatformUnavailable, PlatformRejected) as exc:
            result = exc
        duration = int((time.monotonic() - clock) * 1000)
        return _record_upload(invoice_id, result, started, duration)
    finally:
        release(invoice_id, token)


@transaction.atomic
def _record_upload(invoice_id, result, started, duration):
    invoice = lock_invoice(invoice_id)
    state = SyncState.objects.select_for_update().get(invoice_id=invoice_id)
    attempt = SyncAttempt(invoice=invoice, operation=SyncOperation.UPLOAD, started_at=started,
                          duration_ms=duration, attempt_no=state.attempts + 1)
    if isinstance(result, PlatformUnavailable):
        note_platform(False, error=str(result), invoice_ids=[invoice_id])
        attempt.outcome, attempt.error = SyncOutcome.UNAVAILABLE, str(result)
        attempt.save()
        state.attempts += 1
        state.last_error = attempt.error
        if state.attempts < sync_conf()["max_attempts"]:
            state.next_attempt_at = timezone.now() + timedelta(seconds=backoff_seconds(state.attempts))
            state.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            return "retry"
        state.next_attempt_at, state.gave_up = None, True
        state.save(update_fields=["attempts", "last_error", "next_attempt_at", "gave_up"])
        reason = fact("invoice.sync.unavailable", n=state.attempts, e=str(result))
        return _fail(invoice, reason, "", signals)
    note_platform(True)
    if isinstance(result, PlatformRejected):
        attempt.outcome, attempt.error_code, attempt.error = SyncOutcome.REJECTED, result.code[:50], result.message
        attempt.response = {"code": result.code, "message": result.message}
        attempt.save()
        SyncState.objects.filter(pk=invoice_id).update(
            attempts=state.attempts + 1, next_attempt_at=None, last_error=attempt.error
        )
        return _fail(invoice, rejection_reason(result), result.code, signals)
    attempt.outcome = SyncOutcome.DUPLICATE if result.duplicate else SyncOutcome.ACCEPTED
    attempt.response = {"platform_id": result.platform_id, "number": result.number, "duplicate": result.duplicate}
    attempt.save()
    SyncState.objects.filter(pk=invoice_id).update(attempts=0, next_attempt_at=None, last_error="",
                                                   announce_sync=False)
    old = invoice.sync_status
    if state.announce_sync:
        signals.invoice_back_on_platform.send(sender=Invoice, invoice_id=invoice_id,
                                              platform_id=result.platform_id or "", at=timezone.now())
    if old in (SyncStatus.PENDING, SyncStatus.FAILED, SyncStatus.MISSING):
        invoice.sync_status = SyncStatus.SYNCED
        invoice.save(update_fields=["sync_status"])
        invoice_event_record(
            invoice=invoice, kind=InvoiceEventKind.SYNC_SUCCEEDED, actor=None,
            code="invoice.sync.on_platform", params={"id": result.platform_id or ""},
            data={"from": old, "platform_id": result.platform_id, "duplicate": result.duplicate},
        )
    return "synced"


def rejection_reason(exc):
    """Why the platform refused, as a fact. A used-up credit limit is its own cause: the invoice is right, and the
    same upload goes through once the limit is raised, so finance is told that rather than "rejected"."""
    if exc.code == CREDIT_EXCEEDED:
        return fact("invoice.sync.credit_exceeded", m=exc.message)
    return fact("invoice.sync.rejected", code=exc.code, m=exc.message)


def _fail(invoice, reason, code, signals):
    """`reason` is a fact (core.event_texts): the event and the signal's receivers render it for their reader."""
    if invoice.sync_status != SyncStatus.PENDING:
        return "stale"  # someone verified or changed it meanwhile; don't overwrite their finding
    invoice.sync_status = SyncStatus.FAILED
    invoice.save(update_fields=["sync_status"])
    invoice_event_record(invoice=invoice, kind=InvoiceEventKind.SYNC_FAILED, actor=None,
                         code=reason["fact"], params=reason["params"], data={"code": code})
    # In the transaction that records the failure: the incidents app's receiver enqueues its job in it.
    signals.invoice_sync_failed.send(sender=Invoice, invoice_ids=[invoice.pk], reason=reason, code=code)
    return "failed"


# --- verify --------------------------------------------------------------------------------------------------
@dataclass
class VerifyOutcome:
    outcome: str  # "synced" | "missing" | "mismatch" | "unavailable" | "rejected"
    sync_status: str
    detail: dict = field(default_factory=dict)


def invoice_verify(*, invoice_id, actor):
    """Ask the platform whether it holds the invoice as the ledger does. The query runs outside any
    transaction; the finding is recorded (attempt, status, event) in one."""
    invoice = Invoice.objects.select_related("seller", "original").get(pk=invoice_id)
    started, clock = timezone.now(), time.monotonic()
    try:
        result = get_gateway().query(invoice)
    except (PlatformUnavailable, PlatformRejected) as exc:
        result = exc
    duration = int((time.monotonic() - clock) * 1000)
    return _record_verify(invoice_id, result, started, duration, actor)


def _differences(invoice, record):
    diff = {}
    if record.total != invoice.total:
        diff["total"] = {"ledger": str(invoice.total), "platform": str(record.total)}
    expected = PLATFORM_STATUS.get(invoice.status, "")
    if record.status != expected:
        diff["status"] = {"ledger": expected, "platform": record.status}
    return diff


@transaction.atomic
def _record_verify(invoice_id, result, started, duration, actor):
    invoice = lock_invoice(invoice_id)
    attempt = SyncAttempt(invoice=invoice, operation=SyncOperation.VERIFY, started_at=started,
                          duration_ms=duration, actor=actor)
    if isinstance(result, PlatformUnavailable):
        note_platform(False, error=str(result), invoice_ids=[invoice_id])
        attempt.outcome, attempt.error = SyncOutcome.UNAVAILABLE, str(result)
        attempt.save()
        return VerifyOutcome("unavailable", invoice.sync_status, {"error": str(result)})
    note_platform(True)
    if isinstance(result, PlatformRejected):
        attempt.outcome, attempt.error_code, attempt.error = SyncOutcome.REJECTED, result.code[:50], result.message
        attempt.save()
        return VerifyOutcome("rejected", invoice.sync_status, {"code": result.code, "message": result.message})
    if result is None:
        outcome, new_status, detail = "missing", SyncStatus.MISSING, {"platform": None}
        # A queued upload will put it there; keep the invoice pending rather than hide that.
        if invoice.sync_status == SyncStatus.PENDING:
            new_status = SyncStatus.PENDING
    else:
        diff = _differences(invoice, result)
        detail = {"platform": result.raw, "differences": diff}
        outcome, new_status = ("mismatch", SyncStatus.MISMATCH) if diff else ("synced", SyncStatus.SYNCED)
    attempt.outcome = {"synced": SyncOutcome.FOUND, "missing": SyncOutcome.MISSING,
                       "mismatch": SyncOutcome.MISMATCH}[outcome]
    attempt.response = detail
    attempt.save()
    old = invoice.sync_status
    if new_status != old:
        invoice.sync_status = new_status
        invoice.save(update_fields=["sync_status"])
    invoice_event_record(invoice=invoice, kind=InvoiceEventKind.VERIFIED, actor=actor, code=f"invoice.verify.{outcome}",
                         data={"outcome": outcome, "from": old, "to": new_status, **detail})
    if outcome != "synced":
        signals.invoice_verify_failed.send(sender=Invoice, invoice_id=invoice_id, outcome=outcome, detail=detail,
                                           actor_id=getattr(actor, "pk", None))
    return VerifyOutcome(outcome, new_status, detail)


# --- bulk and sweep ------------------------------------------------------------------------------------------
def _clean_since(since):
    if isinstance(since, datetime):
        value = since
    elif isinstance(since, date):
        value = datetime.combine(since, dtime.min)
    else:
        raise ValidationError({"since": [_("Give the date and time to re-sync from.")]})
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > timezone.now():
        raise ValidationError({"since": [_("The start time cannot be in the future.")]})
    return value


def invoices_resync_bulk(*, actor, since, statuses=(SyncStatus.FAILED, SyncStatus.PENDING), reason=""):
    """Re-queue every invoice in `statuses` issued since `since`. Each batch of invoices is one transaction
    (locks held briefly on a big ledger); returns how many were queued."""
    since = _clean_since(since)
    statuses = list(statuses or ())
    bad = [s for s in statuses if s not in RESYNCABLE]
    if not statuses or bad:
        raise ValidationError({"statuses": [_("Re-sync applies to these sync states only: %(ok)s.") % {
            "ok": ", ".join(str(SyncStatus(s).label) for s in RESYNCABLE)}]})
    batch_size = sync_conf()["batch_size"]
    queued, last_id = 0, 0
    base = Invoice.objects.filter(sync_status__in=statuses, issued_at__gte=since).order_by("id")
    while True:
        ids = list(base.filter(id__gt=last_id).values_list("id", flat=True)[:batch_size])
        if not ids:
            return queued
        last_id = ids[-1]
        queued += _requeue_batch(ids, statuses, actor, since, reason)


@transaction.atomic
def _requeue_batch(ids, statuses, actor, since, reason):
    locked = [inv for inv in lock_invoices(ids).values() if inv.sync_status in statuses]
    if not locked:
        return 0
    if since is None:
        message = fact("invoice.sync.requeued", r=reason)
    else:
        message = fact("invoice.sync.bulk", since=timezone.localtime(since).strftime("%Y-%m-%d %H:%M"))
    old_status = {inv.pk: inv.sync_status for inv in locked}
    for inv in locked:
        inv.sync_status = SyncStatus.PENDING
    # One UPDATE per batch, and one audit-history row per invoice in the same transaction.
    bulk_update_with_history(locked, Invoice, ["sync_status"], default_user=actor,
                             default_change_reason=change_reason(text_of(message)))
    reset_sync_state([inv.pk for inv in locked])
    InvoiceEvent.objects.bulk_create([
        InvoiceEvent(invoice=inv, kind=InvoiceEventKind.SYNC_QUEUED, actor=actor,
                     **event_text_fields(message["fact"], message["params"]),
                     data={"from": old_status[inv.pk], "reason": reason, "bulk": True,
                           "since": since.isoformat() if since else None})
        for inv in locked
    ])
    for inv in locked:
        queue_sync_task(inv.pk)
    return len(locked)


@transaction.atomic
def invoices_sync_sweep(*, now=None, limit=None):
    """Re-queue pending invoices whose retry time has come (backoff elapsed, or their task was lost)."""
    now = now or timezone.now()
    limit = limit or sync_conf()["batch_size"]
    ids = list(
        Invoice.objects.filter(sync_status=SyncStatus.PENDING)
        .filter(Q(sync_state__isnull=True) | Q(sync_state__next_attempt_at__isnull=True)
                | Q(sync_state__next_attempt_at__lte=now))
        # A live claim is a task at work (or a killed one's, lapsing within claim_ttl): re-queued now, the task
        # would find it held and drop itself, and the invoice would wait another stale_after.
        .exclude(sync_state__claimed_until__gt=now)
        .order_by("id").values_list("id", flat=True)[:limit]
    )
    if not ids:
        _probe_platform()
        return 0
    # Keep the retry count (backoff continues) but push the due time so the next sweep doesn't double-queue.
    due = now + timedelta(seconds=sync_conf()["stale_after"])
    existing = set(SyncState.objects.filter(invoice_id__in=ids).values_list("invoice_id", flat=True))
    SyncState.objects.filter(invoice_id__in=existing).update(next_attempt_at=due)
    SyncState.objects.bulk_create([SyncState(invoice_id=i, next_attempt_at=due) for i in ids if i not in existing],
                                  ignore_conflicts=True)
    for invoice_id in ids:
        queue_sync_task(invoice_id)
    return len(ids)


def _probe_platform():
    """While the platform is marked down and nothing else is due, ask it about one invoice that gave up:
    the first answer marks it available again, which re-queues every invoice that gave up."""
    health = PlatformHealth.objects.filter(pk=1).first()
    if health is None or health.available:
        return
    probe = (Invoice.objects.filter(sync_status=SyncStatus.FAILED, sync_state__gave_up=True)
             .select_related("seller", "original").order_by("id").first())
    if probe is None:
        return
    try:
        get_gateway().query(probe)
    except PlatformUnavailable:
        return
    except PlatformRejected:
        pass  # it answered: that is all a probe needs
    note_platform(True)


def invoices_requeue_after_outage(*, actor=None):
    """Put invoices that gave up during an outage back to pending and queue them. Returns how many."""
    queued, last_id = 0, 0
    base = Invoice.objects.filter(sync_status=SyncStatus.FAILED, sync_state__gave_up=True).order_by("id")
    while True:
        ids = list(base.filter(id__gt=last_id).values_list("id", flat=True)[: sync_conf()["batch_size"]])
        if not ids:
            return queued
        last_id = ids[-1]
        queued += _requeue_batch(ids, [SyncStatus.FAILED], actor, None, _("the platform is available again"))
