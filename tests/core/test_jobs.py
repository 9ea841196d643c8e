"""The job spine: a row per job written in the caller's transaction, a lease, backoff, giving up with the reason,
the sweep, 重试 by the right people in the admin and the API, and schedules that name registered jobs."""
import ast
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule

from core.jobs import enqueue_on_commit, job
from core.jobs.models import Job, JobStatus
from core.jobs.registry import registered
from core.jobs.runner import run, sweep
from core.jobs.schedules import RUN_SCHEDULED, SWEEP, scheduled_job

pytestmark = pytest.mark.django_db

CALLS = []


@job("test.flaky", label="flaky", area="invoices")
def flaky(*, n, fail_times=0):
    CALLS.append(n)
    if len(CALLS) <= fail_times:
        raise ConnectionError(f"attempt {len(CALLS)} broke")
    return f"ok {n}"


@job("test.incident_side", label="incident side", area="incidents")
def incident_side(*, fail=True):
    if fail:
        raise ValueError("a reaction broke")


@pytest.fixture(autouse=True)
def fresh_calls():
    CALLS.clear()


def _due_now(job_row):
    Job.objects.filter(pk=job_row.pk).update(next_try_at=timezone.now())


def test_nothing_runs_for_a_rolled_back_transaction(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                enqueue_on_commit("test.flaky", n=1)
                raise RuntimeError("the caller's change failed")
        except RuntimeError:
            pass
    assert not Job.objects.exists() and CALLS == []


def test_a_job_runs_after_commit_and_records_its_result(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            row = enqueue_on_commit("test.flaky", n=1)
            assert CALLS == []  # not before the commit
    row.refresh_from_db()
    assert CALLS == [1] and row.status == JobStatus.DONE and row.result == "ok 1" and row.attempts == 1


def test_a_failure_backs_off_and_the_sweep_retries_it(settings, django_capture_on_commit_callbacks):
    settings.JOBS_RETRY_BASE_SECONDS = 30
    with django_capture_on_commit_callbacks(execute=True):
        row = enqueue_on_commit("test.flaky", n=2, fail_times=2)
    row.refresh_from_db()
    assert row.status == JobStatus.QUEUED and row.attempts == 1 and "attempt 1 broke" in row.last_error
    assert timedelta(seconds=25) < row.next_try_at - timezone.now() <= timedelta(seconds=30)
    assert run(row.pk) == "not claimed"  # not due yet
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep().startswith("handed over 0")
    _due_now(row)
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    row.refresh_from_db()
    assert row.attempts == 2 and row.status == JobStatus.QUEUED
    assert row.next_try_at - timezone.now() > timedelta(seconds=55)  # twice as long
    _due_now(row)
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    row.refresh_from_db()
    assert row.status == JobStatus.DONE and CALLS == [2, 2, 2] and row.last_error == ""


def test_it_gives_up_after_the_configured_attempts_with_the_reason(settings, django_capture_on_commit_callbacks):
    settings.JOBS_MAX_ATTEMPTS = 2
    with django_capture_on_commit_callbacks(execute=True):
        row = enqueue_on_commit("test.flaky", n=3, fail_times=5)
    _due_now(row)
    run(row.pk)
    row.refresh_from_db()
    assert row.status == JobStatus.FAILED and row.attempts == 2 and row.last_error == "ConnectionError: attempt 2 broke"
    assert row.events.get().kind == "gave_up"
    _due_now(row)
    assert run(row.pk) == "not claimed"  # a failed job waits for a person


def test_a_lapsed_lease_is_taken_over_and_a_live_one_is_not(django_capture_on_commit_callbacks):
    with transaction.atomic():
        row = enqueue_on_commit("test.flaky", n=4)
    now = timezone.now()
    # A worker claimed it and died: the row says running under a lease.
    Job.objects.filter(pk=row.pk).update(status=JobStatus.RUNNING, attempts=1, lease_until=now + timedelta(seconds=60))
    assert run(row.pk) == "not claimed"
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    assert CALLS == []
    Job.objects.filter(pk=row.pk).update(lease_until=now - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    row.refresh_from_db()
    assert CALLS == [4] and row.status == JobStatus.DONE and row.attempts == 2


def test_the_same_key_while_active_is_one_job(django_capture_on_commit_callbacks):
    with transaction.atomic():
        first = enqueue_on_commit("test.flaky", key="k", n=5)
        second = enqueue_on_commit("test.flaky", key="k", n=6)
    assert first.pk == second.pk and Job.objects.count() == 1


def test_parameters_must_be_plain_json():
    with pytest.raises(TypeError, match="plain JSON"):
        enqueue_on_commit("test.flaky", n=timezone.now())
    assert not Job.objects.exists()


def test_an_unknown_name_fails_loudly_at_enqueue_and_at_run():
    from core.jobs.registry import UnknownJob

    with pytest.raises(UnknownJob):
        enqueue_on_commit("no.such.job")
    row = Job.objects.create(name="moved.away", params={})
    assert run(row.pk) == "failed"
    row.refresh_from_db()
    assert row.status == JobStatus.FAILED and "moved.away" in row.last_error


def test_finished_jobs_are_pruned_but_not_those_a_person_touched(settings):
    settings.JOBS_KEEP_DAYS = 1
    old = timezone.now() - timedelta(days=2)
    done = Job.objects.create(name="test.flaky", status=JobStatus.DONE, finished_at=old)
    kept = Job.objects.create(name="test.flaky", status=JobStatus.DONE, finished_at=old)
    kept.events.create(kind="retried")
    recent = Job.objects.create(name="test.flaky", status=JobStatus.DONE, finished_at=timezone.now())
    assert sweep().endswith("pruned 1")
    assert set(Job.objects.values_list("pk", flat=True)) == {kept.pk, recent.pk} and done.pk not in {kept.pk}


def test_every_schedule_names_a_registered_job():
    names = registered()
    schedules = list(Schedule.objects.all())
    assert schedules, "migrate creates the schedules"
    assert any(s.func == SWEEP and s.minutes == 1 for s in schedules)
    for schedule in schedules:
        assert schedule.func in (RUN_SCHEDULED, SWEEP), f"{schedule.name} names a module path: {schedule.func}"
        name = scheduled_job(schedule)
        assert name is None or name in names, f"{schedule.name} names {name!r}, which is not registered"
        ast.literal_eval(schedule.args or "()")


def test_a_schedule_runs_its_job_as_a_row(monkeypatch):
    from django.utils.module_loading import import_string

    schedule = Schedule.objects.get(name="invoices: re-queue due pending syncs")
    assert import_string(schedule.func)(*ast.literal_eval(schedule.args)) == "done"
    row = Job.objects.get(name="platform.sync_sweep")
    assert row.status == JobStatus.DONE and row.result.startswith("re-queued")
