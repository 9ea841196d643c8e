"""The platform's side of things, as the back office keeps it.

The ledger's side of sync: one row per attempt (SyncAttempt), one bookkeeping/claim row per invoice
(SyncState), the platform's observed health (PlatformHealth) and each seller's latest credit limit reading
(CreditReading). The simulated tax platform's own tables:
what "the Beijing system" holds (PlatformInvoice, PlatformSequence), and how it is told to fail
(PlatformSettings); only the simulated gateway and `platform_simulator` touch those, the ledger never reads
them directly."""
from decimal import ROUND_DOWN, Decimal

from django.conf import settings
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
    buyer_confirmed_use_at = models.DateTimeField(
        _("buyer confirmed use at"), null=True, blank=True,
        help_text=_("When the buyer confirmed use (用途确认/入账确认) of the invoice; a red-letter form against it then "
                    "needs the buyer's confirmation."),
    )

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


class PlatformRedLetterForm(models.Model):
    """A red-letter information confirmation form (红字发票信息确认单) as the simulated platform keeps it: its
    number and status are the platform's; the back office only ever learns them from its answers."""

    number = models.CharField(_("form number"), max_length=20, unique=True)
    submit_key = models.CharField(_("idempotency key"), max_length=100, null=True, blank=True, unique=True)
    original_code = models.CharField(_("blue invoice code"), max_length=12, blank=True, default="")
    original_number = models.CharField(_("blue invoice number"), max_length=20)
    entered_by = models.CharField(_("entered by"), max_length=6)
    seller_tax_id = models.CharField(_("seller tax id"), max_length=20, db_index=True)
    buyer_tax_id = models.CharField(_("buyer tax id"), max_length=20, blank=True)
    reason = models.CharField(_("reason"), max_length=2)
    amount = models.DecimalField(_("red amount"), max_digits=16, decimal_places=2)
    tax_amount = models.DecimalField(_("red tax"), max_digits=16, decimal_places=2)
    lines = models.JSONField(_("lines"), default=list)
    status = models.CharField(_("status"), max_length=2)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    lapses_at = models.DateTimeField(_("lapses at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("simulated platform red-letter form")
        verbose_name_plural = _("simulated platform red-letter forms")
        ordering = ["-id"]

    def __str__(self):
        return self.number


class PlatformCredit(models.Model):
    """A seller's monthly credit limit (授信额度) on the simulated platform; `used` starts again each month."""

    seller_tax_id = models.CharField(_("seller tax id"), max_length=20, unique=True)
    total = models.DecimalField(_("credit limit (yuan)"), max_digits=16, decimal_places=2)
    used = models.DecimalField(_("used this month (yuan)"), max_digits=16, decimal_places=2, default=0)
    period = models.CharField(_("month"), max_length=7, default="", help_text="YYYY-MM")

    class Meta:
        verbose_name = _("simulated platform credit limit")
        verbose_name_plural = _("simulated platform credit limits")

    def __str__(self):
        return self.seller_tax_id


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
    error = models.TextField(_("error"), blank=True)
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
    last_error = models.TextField(_("last error"), blank=True)
    # Failed because the platform stayed unreachable (not because it refused the data): re-queued
    # automatically once the platform answers again, so an outage of any length loses nothing.
    gave_up = models.BooleanField(_("gave up during an outage"), default=False)
    # Set when a platform check found the invoice missing and re-uploaded it: its next successful upload is
    # announced (signals.invoice_back_on_platform), so the check's incident ticks it off; cleared then.
    announce_sync = models.BooleanField(_("announce the next upload"), default=False)
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
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("platform health")
        verbose_name_plural = _("platform health")


class CreditReading(models.Model):
    """The latest answer of the platform about one seller's credit limit (授信额度), from the hourly credit check.
    `low` is the check's verdict (remaining below PLATFORM_CREDIT_WARN_SHARE of the limit); `warned_at` is when
    finance was told in the current low spell, cleared when the seller is no longer low, so a spell warns once."""

    seller = models.OneToOneField(
        "invoices.Seller", on_delete=models.CASCADE, related_name="credit_reading", verbose_name=_("seller"),
    )
    total = models.DecimalField(_("credit limit"), max_digits=16, decimal_places=2)
    used = models.DecimalField(_("used this month"), max_digits=16, decimal_places=2)
    remaining = models.DecimalField(_("credit remaining"), max_digits=16, decimal_places=2)
    low = models.BooleanField(_("running low"), default=False)
    checked_at = models.DateTimeField(_("checked at"))
    warned_at = models.DateTimeField(_("finance warned at"), null=True, blank=True)

    class Meta:
        verbose_name = _("credit reading")
        verbose_name_plural = _("credit limits on the platform")
        ordering = ["-low", "remaining", "id"]
        indexes = [models.Index(fields=["low", "remaining"], name="credit_reading_low_idx")]

    def __str__(self):
        return str(self.seller)

    @property
    def remaining_percent(self):
        return percent_left(total=self.total, remaining=self.remaining)


def percent_left(*, total, remaining):
    """Whole percent of the limit left, rounded down (9.9 % is shown as 9 %, never as the 10 % warning line)."""
    total, remaining = Decimal(str(total)), Decimal(str(remaining))
    if total <= 0 or remaining <= 0:
        return 0
    return int((remaining * 100 / total).to_integral_value(rounding=ROUND_DOWN))
