"""Claiming, running, retrying and sweeping jobs. A claim is a lease: a worker that dies mid-job leaves it
`running` until the lease lapses, and then the broker's redelivery or the sweep runs it again. The lease is
longer than the task timeout (a live attempt keeps it) and shorter than the broker's retry."""
import json
import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .enqueue import create, hand_over
from .models import Job, JobEvent, JobEventKind, JobStatus
from .registry import UnknownJob, get_spec

log = logging.getLogger(__name__)


class Permanent(Exception):
    """Raised by a handler for a failure that another attempt cannot mend: the job fails at once."""


def lease_seconds():
    return settings.JOBS_LEASE_SECONDS


def backoff(attempts):
    return timedelta(seconds=min(settings.JOBS_RETRY_MAX_SECONDS,
                                 settings.JOBS_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)))


def error_text(exc):
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _claim(job_id, now):
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (JobStatus.DONE, JobStatus.FAILED):
            return None
        if job.status == JobStatus.RUNNING and job.lease_until and job.lease_until > now:
            return None  # a live worker holds it
        if job.status == JobStatus.QUEUED and job.next_try_at and job.next_try_at > now:
            return None  # a retry that is not due yet: the sweep hands it over then
        job.status = JobStatus.RUNNING
        job.attempts += 1
        job.lease_until = now + timedelta(seconds=lease_seconds())
        job.save(update_fields=["status", "attempts", "lease_until"])
        return job


def run(job_id):
    """Run one job if it can be claimed. Returns what happened, for the task's result."""
    now = timezone.now()
    job = _claim(job_id, now)
    if job is None:
        return "not claimed"
    try:
        spec = get_spec(job.name)
    except UnknownJob:
        _fail(job, None, f"UnknownJob: no handler is registered under {job.name!r}", permanent=True)
        return "failed"
    try:
        result = spec.func(**job.params)
    except Exception as exc:
        log.exception("job %s #%s failed (attempt %s of %s)", job.name, job.pk, job.attempts, job.max_attempts)
        return _fail(job, spec, error_text(exc), permanent=isinstance(exc, Permanent))
    # A done job shows no error: the error of an attempt a person retried stays on its JobEvent.
    Job.objects.filter(pk=job.pk, attempts=job.attempts).update(
        status=JobStatus.DONE, finished_at=timezone.now(), lease_until=None, last_error="",
        result="" if result is None else str(result))
    return "done"


def _fail(job, spec, error, *, permanent):
    with transaction.atomic():
        current = Job.objects.select_for_update().get(pk=job.pk)
        if current.attempts != job.attempts or current.status != JobStatus.RUNNING:
            return "superseded"  # our lease lapsed and another attempt took the job over
        current.last_error = error
        current.lease_until = None
        if permanent or current.attempts >= current.max_attempts:
            _give_up(current, spec, error)
            return "failed"
        current.status = JobStatus.QUEUED
        current.next_try_at = timezone.now() + backoff(current.attempts)
        current.save(update_fields=["status", "last_error", "lease_until", "next_try_at"])
        return "retry"


def _give_up(job, spec, error):
    job.status = JobStatus.FAILED
    job.finished_at = timezone.now()
    if spec is not None and spec.on_give_up is not None:
        try:
            with transaction.atomic():
                spec.on_give_up(error=error, **job.params)
        except Exception as exc:
            log.exception("job %s #%s: on_give_up failed", job.name, job.pk)
            job.last_error = f"{error}\n{error_text(exc)}"
    job.save(update_fields=["status", "finished_at", "last_error", "lease_until"])
    JobEvent.objects.create(job=job, kind=JobEventKind.GAVE_UP, error=job.last_error)


def run_named(name, params):
    """A row-less job (see enqueue.dispatch): its handler keeps its own pending state."""
    return get_spec(name).func(**params)


def run_scheduled(name, params=None):
    """A schedule's tick: a job row like any other, so a failing schedule shows in the job list. A tick that finds
    the previous one of the same name still running under its lease does nothing."""
    params = params or {}
    key = f"schedule:{name}" + (f":{json.dumps(params, sort_keys=True)}" if params else "")
    job, _created = create(name, key=key, params=params)
    return run(job.pk)


def sweep(now=None):
    """Hand over what no worker holds: lapsed leases (a worker died) and due retries or queued jobs whose task
    was lost (Redis loses a killed worker's task). Prunes finished jobs past JOBS_KEEP_DAYS."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=lease_seconds())
    due = Job.objects.filter(
        Q(status=JobStatus.RUNNING, lease_until__lt=now)
        | Q(status=JobStatus.QUEUED, next_try_at__lte=now)
        & (Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=stale) | Q(dispatched_at__lt=F("next_try_at")))
    ).order_by("next_try_at", "id").values_list("pk", flat=True)[: settings.JOBS_SWEEP_BATCH]
    handed = 0
    for job_id in list(due):
        hand_over(job_id)
        handed += 1
    keep = now - timedelta(days=settings.JOBS_KEEP_DAYS)
    old = list(Job.objects.filter(status=JobStatus.DONE, finished_at__lt=keep, events__isnull=True).values_list("pk", flat=True)[:5000])
    if old:
        Job.objects.filter(pk__in=old).delete()
    return f"handed over {handed}, pruned {len(old)}"
