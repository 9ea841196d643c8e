"""Jobs of a reconciliation run. The run row (status, phase, position, attempts) persists the work and its own
sweep re-queues a lost chunk, so the chunks are row-less (core.jobs.dispatch); each is one bounded chunk."""
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.jobs import job
from core.jobs.models import JobArea
from invoices.reconciliation.models import RunPhase
from invoices.reconciliation.pipeline import runner
from invoices.reconciliation.services.platform_check import platform_check_run
from invoices.reconciliation.services.platform_check_schedule import platform_checks_queue


@job("reconciliation.run", label=_("start a reconciliation run"), area=JobArea.INVOICES,
     guarantee="row-less: the run stays queued and the reconciliation sweep queues it again")
def reconcile_run(*, run_id):
    """The first task, queued by the upload: claims the run and does its first chunk."""
    if not runner.claim(run_id):
        return f"run {run_id}: not claimed"
    return reconcile_chunk(run_id=run_id, phase=RunPhase.LOAD.value, position=0)


@job("reconciliation.chunk", label=_("one chunk of a reconciliation run"), area=JobArea.INVOICES,
     guarantee="row-less: a redelivered chunk is a no-op; the sweep re-queues a lost one")
def reconcile_chunk(*, run_id, phase, position):
    step = runner.run_chunk(run_id, phase, position)
    return f"run {run_id} {phase}@{position} → {list(step) if step else 'end'}"


@job("reconciliation.sweep", label=_("re-queue lost reconciliation chunks"), area=JobArea.INVOICES,
     guarantee="scheduled every five minutes")
def sweep():
    return f"re-queued {runner.runs_sweep()}"


@job("reconciliation.platform_check", label=_("check a seller's period against the platform's listing"),
     area=JobArea.INVOICES,
     guarantee="a job row written with the queued check; runs only a queued check (a redelivery does nothing); a page "
               "that fails ends the check failed, changing no invoice")
def platform_check(*, check_id):
    return platform_check_run(check_id)


@job("reconciliation.platform_checks_hourly", label=_("queue the hourly platform checks"), area=JobArea.INVOICES,
     guarantee="scheduled hourly: every seller's last PLATFORM_CHECK_HOURLY_DAYS days; skipped while the platform is "
               "down (its outage incident open and not recovered); a period already being checked is not queued twice")
def platform_checks_hourly():
    return platform_checks_queue(days=settings.PLATFORM_CHECK_HOURLY_DAYS)


@job("reconciliation.platform_checks_nightly", label=_("queue the nightly platform checks"), area=JobArea.INVOICES,
     guarantee="scheduled nightly: every seller's last PLATFORM_CHECK_NIGHTLY_DAYS days; skipped like the hourly one")
def platform_checks_nightly():
    return platform_checks_queue(days=settings.PLATFORM_CHECK_NIGHTLY_DAYS)
