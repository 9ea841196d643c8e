"""The ledger's side of platform sync: one row per attempt, one bookkeeping/claim row per invoice, and the
platform's observed health. Imported by models.py so Django registers them in the invoices app."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SyncOperation(models.TextChoices):
    UPLOAD = "upload", _("upload")
    VERIFY = "verify", _("verify")


class SyncOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("accepted")
    DUPLICATE = "duplicate", _("already on the platform")
    UNAVAILABLE = "unavailable", _("platform unavailable")
    REJECTED = "rejected", _("rejected")
    FOUND = "found", _("found, matches")
    MISSING = "missing", _("missing on platform")
    MISMATCH = "mismatch", _("differs from platform")


class SyncAttempt(models.Model):
    """One conversation with the platform about one invoice. Written once, never changed."""

    invoice = models.ForeignKey(
        "invoices.Invoice", on_delete=models.PROTECT, related_name="sync_attempts", verbose_name=_("invoice")
    )
    operation = models.CharField(_("operation"), max_length=8, choices=SyncOperation.choices)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    outcome = models.CharField(_("outcome"), max_length=12, choices=SyncOutcome.choices)
    error_code = models.CharField(_("error code"), max_length=50, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    response = models.JSONField(_("platform answer"), default=dict, blank=True)
    attempt_no = models.PositiveSmallIntegerField(_("attempt"), default=1)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("actor"),
    )

    class Meta:
        verbose_name = _("sync attempt")
        verbose_name_plural = _("sync attempts")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["invoice", "-started_at", "-id"], name="sync_attempt_invoice_idx")]

    def __str__(self):
        return f"{self.get_operation_display()} {self.get_outcome_display()} @ {self.started_at:%Y-%m-%d %H:%M:%S}"


class SyncState(models.Model):
    """Retry bookkeeping and the run claim for one invoice.

    `claim_token` is the lock that keeps two task runs for one invoice from overlapping; a claim expires at
    `claimed_until` so a worker killed mid-upload cannot block the invoice for ever. The sweep re-queues a
    pending invoice once `next_attempt_at` has passed (backoff after an outage, or a lost task)."""

    invoice = models.OneToOneField(
        "invoices.Invoice", on_delete=models.CASCADE, primary_key=True, related_name="sync_state",
        verbose_name=_("invoice"),
    )
    attempts = models.PositiveSmallIntegerField(_("failed attempts in a row"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    # Failed because the platform stayed unreachable (not because it refused the data): re-queued
    # automatically once the platform answers again, so an outage of any length loses nothing.
    gave_up = models.BooleanField(_("gave up during an outage"), default=False)
    claim_token = models.CharField(max_length=32, blank=True, default="")
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sync state")
        verbose_name_plural = _("sync states")
        indexes = [models.Index(fields=["next_attempt_at"], name="sync_state_next_idx")]


class PlatformHealth(models.Model):
    """A single row: whether the platform answered last time, so down/up transitions are announced once."""

    available = models.BooleanField(default=True)
    since = models.DateTimeField(default=timezone.now)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("platform health")
        verbose_name_plural = _("platform health")
