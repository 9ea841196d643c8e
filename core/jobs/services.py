"""A person's hand on a job: 重试 after it gave up. Finance answers for invoice jobs, managers for incident jobs."""
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.api_errors import Conflict

from .enqueue import hand_over_on_commit
from .models import Job, JobArea, JobEvent, JobEventKind, JobStatus

RETRY_PERMISSIONS = {
    JobArea.INVOICES: ("core.retry_invoice_job",),
    JobArea.INCIDENTS: ("core.retry_incident_job",),
    JobArea.SYSTEM: ("core.retry_invoice_job", "core.retry_incident_job"),
}


def can_retry(user, job):
    return any(user.has_perm(p) for p in RETRY_PERMISSIONS.get(job.area, ()))


def job_retry(*, job, actor):
    """Give a failed job a fresh set of attempts and hand it to a worker once this commits."""
    with transaction.atomic():
        current = Job.objects.select_for_update().get(pk=job.pk)
        if not can_retry(actor, current):
            raise PermissionDenied(_("You may not retry this job: finance retries invoice jobs, managers incident jobs."))
        if current.status != JobStatus.FAILED:
            raise Conflict(_("Only a failed job can be retried (this one is %(s)s).") % {
                "s": current.get_status_display()})
        current.status = JobStatus.QUEUED
        current.attempts = 0
        current.next_try_at = timezone.now()
        current.finished_at = None
        current.save(update_fields=["status", "attempts", "next_try_at", "finished_at"])
        JobEvent.objects.create(job=current, kind=JobEventKind.RETRIED, actor=actor, error=current.last_error)
        hand_over_on_commit(current.pk)
    return current
