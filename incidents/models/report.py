from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    WEEKLY = "weekly", _("weekly")
    MONTHLY = "monthly", _("monthly")
    ON_DEMAND = "on_demand", _("on demand")


class Report(models.Model):
    """One periodic management report as built and sent: its period, its files (kept through the storage API)
    and who received it. Written by incidents.services.reports; read-only in the admin."""

    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    period = models.CharField(_("period"), max_length=20, help_text=_("e.g. 2026-11 or 2026-W48"))
    period_start = models.DateField(_("first day"))
    period_end = models.DateField(_("last day"))
    team = models.ForeignKey("incidents.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("team"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    xlsx_file = models.FileField(_("Excel file"), upload_to="reports/%Y/", blank=True)
    pdf_file = models.FileField(_("PDF file"), upload_to="reports/%Y/", blank=True)
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+",
                                        verbose_name=_("recipients"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("management report")
        verbose_name_plural = _("management reports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "period"], name="report_kind_period_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period}"
