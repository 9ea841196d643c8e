"""An email backend that always fails, to prove the retry-then-failed path without a real SMTP server."""
import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class FailingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("connection refused by test backend")


def retry_email_jobs():
    """Make every delivery job waiting on its back-off due and let the spine's sweep hand it over (the suite runs
    tasks inline). Returns how many were handed over."""
    from django.utils import timezone

    from core.jobs.models import Job, JobStatus
    from core.jobs.runner import sweep

    due = Job.objects.filter(name="incidents.deliver_email", status=JobStatus.QUEUED)
    count = due.update(next_try_at=timezone.now())
    sweep()
    return count
