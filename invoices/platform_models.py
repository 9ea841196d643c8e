"""The simulated tax platform's own tables: what "the Beijing system" holds, and how it is told to fail.
Only the simulated gateway and `platform_simulator` touch these; the ledger never reads them directly."""
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PlatformInvoice(models.Model):
    """An invoice as the platform holds it, stored as it arrived on the wire."""

    code = models.CharField(_("invoice code"), max_length=12, blank=True, default="")
    number = models.CharField(_("invoice number"), max_length=20)
    platform_id = models.CharField(_("platform id"), max_length=40, unique=True)
    issue_key = models.CharField(_("issue idempotency key"), max_length=100, null=True, blank=True, unique=True)
    status = models.CharField(_("platform status"), max_length=20, default="正常")
    total = models.DecimalField(_("total incl. tax"), max_digits=16, decimal_places=2)
    payload = models.JSONField(_("payload"), default=dict)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    uploads = models.PositiveIntegerField(_("uploads received"), default=1)

    class Meta:
        verbose_name = _("simulated platform invoice")
        verbose_name_plural = _("simulated platform invoices")
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["code", "number"], name="platform_invoice_unique")]

    def __str__(self):
        return f"{self.code}-{self.number}" if self.code else self.number


class PlatformSequence(models.Model):
    """Numbers the simulated platform hands out on `issue`, per 5-digit prefix (year, province, channel)."""

    prefix = models.CharField(max_length=5, unique=True)
    last = models.BigIntegerField(default=0)


class PlatformSettings(models.Model):
    """A single row staff edit in the admin to rehearse an outage. Settings' TAX_PLATFORM_SIMULATOR adds to it."""

    outage = models.BooleanField(_("outage now"), default=False, help_text=_("Refuse every request until switched off."))
    outage_from = models.DateTimeField(_("outage window from"), null=True, blank=True)
    outage_until = models.DateTimeField(_("outage window until"), null=True, blank=True)
    failure_rate = models.DecimalField(
        _("failure rate"), max_digits=3, decimal_places=2, default=0,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("Share of requests answered as unavailable, 0 to 1."),
    )
    latency_ms = models.PositiveIntegerField(
        _("latency (ms)"), default=0, validators=[MaxValueValidator(60000)],
        help_text=_("Delay before every answer; keep it under the HTTP read timeout to stay available."),
    )
    rejected_tax_ids = models.TextField(
        _("rejected tax ids"), blank=True, help_text=_("One per line; uploads naming them are rejected."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("simulated platform settings")
        verbose_name_plural = _("simulated platform settings")

    def __str__(self):
        return str(_("simulated platform settings"))
