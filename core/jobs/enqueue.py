"""The one way to start work after a commit. Two kinds, both by registered name:
- `enqueue_on_commit`: a job row written in the caller's transaction (nothing runs for a rollback, nothing is lost
  when a process dies after the commit: the sweep hands over what no worker finished);
- `dispatch_on_commit`: no row, for handlers whose own table already holds the pending state and has its own sweep
  (an invoice's `pending` upload with its claim); docs/jobs.md says which job is which."""
import functools
import json
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_q.tasks import async_task

from .models import ACTIVE_STATUSES, Job
from .registry import get_spec

RUN_TASK = "core.jobs.tasks.run"
RUN_NAMED_TASK = "core.jobs.tasks.run_named"


def _plain(params):
    """Parameters are stored as JSON: refuse anything that would not come back as it went in."""
    try:
        return json.loads(json.dumps(params))
    except TypeError as exc:
        raise TypeError(f"job parameters must be plain JSON values (ids, strings): {exc}") from None


def enqueue_on_commit(name, *, key="", delay=None, **params):
    """Write the job in the current transaction and hand it to a worker once it commits. With `key`, a job of the
    same name and key that is still queued or running is returned instead of a second one. With `delay`
    (a timedelta), the sweep hands it over when it is due."""
    job, created = create(name, key=key, delay=delay, params=params)
    if created and not delay:
        transaction.on_commit(functools.partial(hand_over, job.pk))
    return job


def create(name, *, key="", delay=None, params=None):
    """The job row alone: (job, created). A key already held by a queued or running job returns that job."""
    spec = get_spec(name)
    now = timezone.now()
    fields = dict(name=name, area=spec.area, params=_plain(params or {}), key=key,
                  max_attempts=spec.max_attempts or settings.JOBS_MAX_ATTEMPTS,
                  next_try_at=now + (delay or timedelta(0)))
    if key:
        existing = Job.objects.filter(name=name, key=key, status__in=ACTIVE_STATUSES).first()
        if existing is not None:
            return existing, False
        try:
            with transaction.atomic():
                return Job.objects.create(**fields), True
        except IntegrityError:
            return Job.objects.get(name=name, key=key, status__in=ACTIVE_STATUSES), False
    return Job.objects.create(**fields), True


def hand_over(job_id):
    """Queue the django-q2 task that runs one job. Safe to repeat: only one worker can claim the job."""
    Job.objects.filter(pk=job_id).update(dispatched_at=timezone.now())
    async_task(RUN_TASK, job_id, task_name=f"job-{job_id}-{timezone.now().timestamp():.6f}")


def hand_over_on_commit(job_id):
    """Hand an existing job to a worker again after the current transaction commits (a person's 重试)."""
    transaction.on_commit(functools.partial(hand_over, job_id))


def dispatch(name, *, group=None, task_name=None, **params):
    """Queue a row-less job now (inside a task, where no transaction waits for a commit)."""
    get_spec(name)
    options = {"task_name": task_name} if task_name else {}
    if group:
        options["group"] = group
    async_task(RUN_NAMED_TASK, name, _plain(params), **options)


def dispatch_on_commit(name, *, group=None, task_name=None, merge=None, **params):
    """Queue a row-less job once the current transaction commits. With `merge(pending, new) -> params`, a dispatch
    of the same name already waiting for this transaction's commit takes the new parameters in instead of a second
    task: a transaction that issues invoices in many batches (an import, chunk by chunk) starts one upload chain."""
    get_spec(name)
    params = _plain(params)
    if merge is not None:
        pending = _pending_dispatch(name)
        if pending is not None:
            pending.params = _plain(merge(pending.params, params))
            return
    transaction.on_commit(_Dispatch(name, group, task_name, params))


class _Dispatch:
    """A row-less job waiting for its transaction's commit (a callable, so a later dispatch can find it)."""

    def __init__(self, name, group, task_name, params):
        self.name, self.group, self.task_name, self.params = name, group, task_name, params

    def __call__(self):
        dispatch(self.name, group=self.group, task_name=self.task_name, **self.params)


def _pending_dispatch(name):
    if not connection.in_atomic_block:
        return None  # autocommit: the dispatch runs at once, nothing waits
    for _savepoints, func, *_rest in connection.run_on_commit:
        if isinstance(func, _Dispatch) and func.name == name:
            return func
    return None
