"""A chunk that never finishes (task timeout, killed worker) is tried RECONCILIATION_CHUNK_MAX_ATTEMPTS times, then
the run ends `failed` with the reason; the sweep neither re-queues it for ever nor re-queues healthy long runs."""
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from invoices.reconciliation.models import ReconciliationRun, RunPhase, RunStatus
from invoices.reconciliation.pipeline import runner
from invoices.reconciliation.services.runs import reconciliation_start

from ...recon_helpers import PERIOD, ledger, rows_for, upload

pytestmark = pytest.mark.django_db



@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

class WorkerKilled(BaseException):
    """What a task timeout or kill -9 looks like from inside the chunk: its transaction never commits."""


def _killed(run, position, size):
    raise WorkerKilled


@pytest.fixture
def run(seller, customer, finance_user, settings):
    settings.RECONCILIATION_CHUNK_MAX_ATTEMPTS = 3
    run = reconciliation_start(actor=finance_user, seller=seller, period_start=PERIOD[0], period_end=PERIOD[1],
                               file=upload(rows_for(ledger(seller, customer, n=3))))
    assert runner.claim(run.pk)
    return run


def test_a_chunk_that_never_finishes_ends_the_run_failed_with_the_reason(run):
    with mock.patch.dict(runner.STEPS, {RunPhase.LOAD: _killed}):
        for _attempt in range(3):
            with pytest.raises(WorkerKilled):
                runner.run_chunk(run.pk, RunPhase.LOAD, 0, queue_next=False)
            run.refresh_from_db()
            assert run.status == RunStatus.RUNNING
        assert runner.run_chunk(run.pk, RunPhase.LOAD, 0, queue_next=False) is None
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.finished_at is not None
    assert "started 3 times" in run.error and "RECONCILIATION_CHUNK_MAX_ATTEMPTS" in run.error


def test_a_chunk_that_finishes_resets_the_count(run):
    with mock.patch.dict(runner.STEPS, {RunPhase.LOAD: _killed}):
        for _attempt in range(2):
            with pytest.raises(WorkerKilled):
                runner.run_chunk(run.pk, RunPhase.LOAD, 0, queue_next=False)
    step = runner.run_chunk(run.pk, RunPhase.LOAD, 0, queue_next=False)
    run.refresh_from_db()
    assert step and run.chunk_attempts == 0 and run.status == RunStatus.RUNNING


def test_the_sweep_gives_up_on_a_stuck_chunk_and_leaves_a_moving_run_alone(run, seller, customer, finance_user,
                                                                           django_capture_on_commit_callbacks):
    later = timezone.now() + timedelta(minutes=10)
    ReconciliationRun.objects.filter(pk=run.pk).update(chunk_attempts=3)
    moving = reconciliation_start(actor=finance_user, seller=seller, period_start=PERIOD[0], period_end=PERIOD[1],
                                  file=upload(rows_for(ledger(seller, customer, n=1))))
    assert runner.claim(moving.pk)
    # Started long ago, but its current chunk began a moment ago: not stale.
    ReconciliationRun.objects.filter(pk=moving.pk).update(started_at=later - timedelta(hours=1), moved_at=later)
    with mock.patch("core.jobs.enqueue.async_task") as queued, django_capture_on_commit_callbacks(execute=True):
        runner.runs_sweep(now=later)
    assert queued.call_count == 0
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "started 3 times" in run.error
    assert ReconciliationRun.objects.get(pk=moving.pk).status == RunStatus.RUNNING


def test_the_sweep_requeues_a_stuck_chunk_below_the_limit(run, django_capture_on_commit_callbacks):
    later = timezone.now() + timedelta(minutes=10)
    ReconciliationRun.objects.filter(pk=run.pk).update(chunk_attempts=1)
    with mock.patch("core.jobs.enqueue.async_task") as queued, django_capture_on_commit_callbacks(execute=True):
        assert runner.runs_sweep(now=later) == 1
    assert queued.call_args.args[:3] == ("core.jobs.tasks.run_named", "reconciliation.chunk",
                                         {"run_id": run.pk, "phase": "load", "position": 0})
