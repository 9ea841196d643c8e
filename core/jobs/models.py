"""The job row: what is to be done (a registered name and JSON parameters), how far it got, and why it failed."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.append_only import AppendOnlyModel

from .registry import label_of


class JobStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("job status", "queued")
    RUNNING = "running", pgettext_lazy("job status", "running")
    DONE = "done", pgettext_lazy("job status", "done")
    FAILED = "failed", pgettext_lazy("job status", "failed")


class JobArea(models.TextChoices):
    """Who answers for a job: finance retries invoice jobs, managers incident jobs."""

    INVOICES = "invoices", _("invoices")
    INCIDENTS = "incidents", _("incidents")
    SYSTEM = "system", _("system")


ACTIVE_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)


class Job(models.Model):
    name = models.CharField(_("job"), max_length=80, db_index=True)
    area = models.CharField(_("area"), max_length=20, choices=JobArea.choices, default=JobArea.SYSTEM)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # Two enqueues of the same (name, key) while the first is queued or running are one job.
    key = models.CharField(_("idempotency key"), max_length=200, blank=True, default="")
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveIntegerField(_("maximum attempts"), default=5)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    next_try_at = models.DateTimeField(_("next try at"), null=True, blank=True)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("handed to the worker at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True, default="")
    result = models.TextField(_("result"), blank=True, default="")

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "next_try_at"], name="core_job_due"),
            models.Index(fields=["area", "status"], name="core_job_area_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "key"], condition=Q(status__in=["queued", "running"]) & ~Q(key=""),
                name="core_job_one_active_per_key",
            ),
        ]
        permissions = [
            ("retry_invoice_job", _("Can retry failed invoice jobs")),
            ("retry_incident_job", _("Can retry failed incident jobs")),
        ]

    def __str__(self):
        # The job in the reader's words and when it was queued (the page title, the history): no name or id.
        created = timezone.localtime(self.created_at).strftime("%Y-%m-%d %H:%M:%S") if self.created_at else ""
        return f"{label_of(self.name)} {created}".strip()

    @property
    def retryable(self):
        return self.status == JobStatus.FAILED


class JobEventKind(models.TextChoices):
    GAVE_UP = "gave_up", _("gave up")
    RETRIED = "retried", _("retried by a person")


class JobEvent(AppendOnlyModel):
    """What happened to a job that a person answers for: it gave up (with the error), someone pressed 重试."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="events", verbose_name=_("job"))
    at = models.DateTimeField(_("at"), auto_now_add=True)
    kind = models.CharField(pgettext_lazy("job event", "kind"), max_length=20, choices=JobEventKind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("actor"))
    error = models.TextField(_("error"), blank=True, default="")

    class Meta:
        verbose_name = _("job event")
        verbose_name_plural = _("job events")
        ordering = ["at", "id"]
