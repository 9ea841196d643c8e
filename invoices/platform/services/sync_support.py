"""Plumbing shared by the sync services: configuration, the per-invoice claim, queueing and platform health."""
import uuid
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from core.bulk_insert import insert_rows
from core.jobs import dispatch_on_commit, enqueue_on_commit
from invoices.ledger.models import Invoice, SyncStatus
from invoices.platform.models import PlatformHealth, SyncState
from invoices.signals import platform_recovered, platform_unavailable

SYNC_DEFAULTS = {
    # Failed uploads in a row before an invoice is marked `failed` (each later one waits twice as long).
    "max_attempts": 6,
    "backoff_base": 60,       # seconds before the first retry
    "backoff_max": 3600,      # never wait longer than this between retries
    "stale_after": 120,       # a queued invoice still pending after this is re-queued by the sweep
    # Longer than the django-q task timeout (a live task keeps its claim) and shorter than its retry (the
    # broker's redelivery of a killed worker's task finds the claim lapsed and takes over).
    "claim_ttl": 75,
    "batch_size": 500,        # invoices per transaction in the bulk re-sync and per sweep run
    # Uploads queued per step of the fan-out after an import: other work queued meanwhile (an import's check, an
    # e-mail) waits behind at most about two steps of uploads, not behind every invoice of the import.
    "fan_out_size": 100,
}


def sync_conf():
    return {**SYNC_DEFAULTS, **(getattr(settings, "TAX_PLATFORM_SYNC", {}) or {})}


def backoff_seconds(attempts):
    conf = sync_conf()
    return min(conf["backoff_max"], conf["backoff_base"] * 2 ** max(attempts - 1, 0))


def queue_sync_task(invoice_id):
    """Queue the upload task once the current transaction commits (nothing is sent for a rollback)."""
    dispatch_on_commit("platform.sync_invoice", invoice_id=invoice_id, group="invoice-sync",
                       task_name=f"sync-invoice-{invoice_id}")


def reset_sync_state(invoice_ids, now=None):
    """Fresh retry budget for invoices just (re)queued; the sweep picks them up again if the task is lost."""
    now = now or timezone.now()
    due = now + timedelta(seconds=sync_conf()["stale_after"])
    ids = list(invoice_ids)
    existing = set(SyncState.objects.filter(invoice_id__in=ids).values_list("invoice_id", flat=True))
    SyncState.objects.filter(invoice_id__in=existing).update(
        attempts=0, next_attempt_at=due, last_error="", gave_up=False
    )
    SyncState.objects.bulk_create(
        [SyncState(invoice_id=i, next_attempt_at=due) for i in ids if i not in existing], ignore_conflicts=True
    )


def queue_uploads(invoice_ids):
    """Inside invoice_issue's transaction: newly issued invoices are pending and get uploaded, each by its own
    task after commit."""
    reset_sync_state(invoice_ids)
    for invoice_id in invoice_ids:
        queue_sync_task(invoice_id)


def queue_new_invoices(invoice_ids):
    """The batch form of queue_uploads (invoice_issue_batch): sync states written now, in the issuing
    transaction; after commit, one fan-out task for the id range, which queues `fan_out_size` uploads at a time
    (queue_sync_range). Not one task per invoice from here: the import's request would spend its time after the
    commit inserting a broker message per invoice (tens of thousands), and every task queued after them would wait
    for all of them. Each upload stays its own short task with its own claim and retries; if a fan-out task is
    lost, the sweep re-queues its invoices once their `next_attempt_at` (stale_after) has passed, as for any lost
    task."""
    ids = list(invoice_ids)
    if not ids:
        return
    # What reset_sync_state writes for an invoice without a state, without asking which have one: none do.
    due = timezone.now() + timedelta(seconds=sync_conf()["stale_after"])
    insert_rows(SyncState, [{"invoice_id": i, "next_attempt_at": due} for i in ids])
    # One chain per transaction, however many batches it issued: each chain keeps `fan_out_size` uploads ahead of
    # any other work, so an import of many chunks must not start one chain per chunk.
    dispatch_on_commit("platform.queue_sync_range", first=min(ids), last=max(ids), group="invoice-sync",
                       merge=_widen_range)


def _widen_range(pending, new):
    return {"first": min(pending["first"], new["first"]), "last": max(pending["last"], new["last"])}


def _queue_fan_out_step(first, last):
    dispatch_on_commit("platform.queue_sync_range", first=first, last=last, group="invoice-sync",
                       task_name=f"queue-sync-{first}-{last}")


def queue_sync_range(first, last):
    """One step of the fan-out: queue the uploads of the next `fan_out_size` pending invoices with ids from `first`
    to `last`, then the next step behind them in the queue. Returns how many were queued."""
    size = sync_conf()["fan_out_size"]
    ids = list(Invoice.objects.filter(pk__gte=first, pk__lte=last, sync_status=SyncStatus.PENDING)
               .order_by("pk").values_list("pk", flat=True)[:size])
    for invoice_id in ids:
        queue_sync_task(invoice_id)
    if len(ids) == size and ids[-1] < last:
        _queue_fan_out_step(ids[-1] + 1, last)
    return len(ids)


def queue_sync_tasks(invoice_ids):
    """Queue the upload task of each invoice that is still pending (the task body of a fan-out). Returns how
    many were queued."""
    ids = list(Invoice.objects.filter(pk__in=list(invoice_ids), sync_status=SyncStatus.PENDING)
               .order_by("pk").values_list("pk", flat=True))
    for invoice_id in ids:
        queue_sync_task(invoice_id)
    return len(ids)


def claim(invoice_id):
    """Take the run claim for one invoice; None if another run holds a live claim. Atomic on both databases:
    the conditional UPDATE re-checks its WHERE after waiting for a competing writer."""
    now = timezone.now()
    SyncState.objects.get_or_create(invoice_id=invoice_id)
    token = uuid.uuid4().hex
    taken = SyncState.objects.filter(invoice_id=invoice_id).filter(
        Q(claim_token="") | Q(claimed_until__lt=now)
    ).update(claim_token=token, claimed_until=now + timedelta(seconds=sync_conf()["claim_ttl"]))
    return token if taken else None


def release(invoice_id, token):
    SyncState.objects.filter(invoice_id=invoice_id, claim_token=token).update(claim_token="", claimed_until=None)


def note_platform(available, *, error="", invoice_ids=()):
    """Record whether the platform answered; announce outages per affected invoice and recovery once.
    Call inside the transaction that records the attempt; signals go out on commit."""
    now = timezone.now()
    if not available:
        # Sent inside the transaction: a receiver enqueues its job in it, so the reaction exists iff this commits.
        platform_unavailable.send(sender=Invoice, invoice_ids=list(invoice_ids), error=error, at=now)
    row = PlatformHealth.objects.filter(pk=1).first()
    if row is not None and row.available == available:
        return  # the common case: no transition, no write, no lock on the shared row
    PlatformHealth.objects.get_or_create(pk=1)
    row = PlatformHealth.objects.select_for_update().get(pk=1)
    if row.available == available:
        return
    PlatformHealth.objects.filter(pk=1).update(available=available, since=now, last_error=error)
    if available:
        platform_recovered.send(sender=Invoice, at=now)
        # Invoices that gave up during the outage go back in the queue now that the platform answers.
        enqueue_on_commit("platform.requeue_after_outage", key="requeue-after-outage")
