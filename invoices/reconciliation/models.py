"""Reconciliation of the ledger against the platform's own export (全量发票查询 → 导出).

Imported at the bottom of invoices/models.py so Django sees these models as part of the app."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", pgettext_lazy("reconciliation run status", "failed")  # not the sync status 同步失败


class RunPhase(models.TextChoices):
    """Where a running run stands; each phase proceeds in bounded chunks (invoices/reconciliation/pipeline/runner.py)."""
    LOAD = "load", _("loading the file")
    LEDGER = "ledger", _("reading the ledger for the period")
    MATCH = "match", _("comparing the export with the ledger")


class DiscrepancyKind(models.TextChoices):
    MISSING_ON_PLATFORM = "missing_on_platform", _("in the ledger, not on the platform")
    MISSING_IN_LEDGER = "missing_in_ledger", _("on the platform, not in the ledger")
    AMOUNT_MISMATCH = "amount_mismatch", _("amounts differ")
    STATUS_MISMATCH = "status_mismatch", _("status differs")
    BUYER_MISMATCH = "buyer_mismatch", _("buyer tax id differs")
    UNREADABLE = "unreadable", _("row cannot be read")


class Resolution(models.TextChoices):
    OPEN = "", _("open")
    RESYNC = "resync", _("re-sync queued")
    MARKED_MISSING = "marked_missing", _("marked missing, incident opened")
    MANUAL_ENTRY = "manual_entry", _("manual entry (补录)")
    IGNORED = "ignored", _("ignored")


# One count column per kind, so the run page and the API show them without a GROUP BY.
COUNT_FIELDS = {kind: f"count_{kind}" for kind in DiscrepancyKind.values}


class ReconciliationRun(models.Model):
    seller = models.ForeignKey(
        "invoices.Seller", on_delete=models.PROTECT, related_name="+", verbose_name=_("seller")
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"), help_text=_("Inclusive."))
    file = models.FileField(_("export file"), upload_to="reconciliation/%Y/%m/")
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_format = models.CharField(_("file format"), max_length=30, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    error = models.TextField(_("error"), blank=True)
    # The next chunk starts here: (phase, position) is saved with each chunk's work in one transaction, so a
    # redelivered chunk task finds the run moved on and does nothing. position: in LOAD, the file position
    # after the last loaded row (bytes for CSV, sheet rows for XLSX); in LEDGER, the id of the last ledger
    # invoice copied (newest first); in MATCH, the part to compare next (of `parts`).
    phase = models.CharField(_("phase"), max_length=10, choices=RunPhase.choices, default=RunPhase.LOAD)
    position = models.BigIntegerField(_("position"), default=0, editable=False)
    parts = models.PositiveSmallIntegerField(_("parts"), default=1, editable=False)
    # How often the current (phase, position) chunk has been started, counted before its work in a transaction
    # of its own, so a chunk killed by the task timeout still counts; bounded by RECONCILIATION_CHUNK_MAX_ATTEMPTS.
    chunk_attempts = models.PositiveSmallIntegerField(_("chunk attempts"), default=0, editable=False)
    # When the run last moved to its current chunk: the sweep re-queues only runs stuck there longer than a task
    # may take, not every long run.
    moved_at = models.DateTimeField(_("current chunk since"), null=True, blank=True, editable=False)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_matched = models.PositiveIntegerField(_("rows matching the ledger"), default=0)
    ledger_invoices = models.PositiveIntegerField(_("ledger invoices in period"), default=0)
    count_missing_on_platform = models.PositiveIntegerField(_("missing on platform"), default=0)
    count_missing_in_ledger = models.PositiveIntegerField(_("missing in ledger"), default=0)
    count_amount_mismatch = models.PositiveIntegerField(_("amount mismatches"), default=0)
    count_status_mismatch = models.PositiveIntegerField(_("status mismatches"), default=0)
    count_buyer_mismatch = models.PositiveIntegerField(_("buyer mismatches"), default=0)
    count_unreadable = models.PositiveIntegerField(_("unreadable rows"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("run by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The run proposes; finance applies (services/apply.py). The export time bounds what the file may change:
    # an invoice the platform confirmed later (a sync or verify) keeps its state.
    exported_at = models.DateTimeField(_("export time (导出时间)"), default=timezone.now)
    proposal = models.JSONField(_("proposal"), default=dict, blank=True, editable=False)
    wrong_file = models.BooleanField(_("probably the wrong file"), default=False)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("applied by"),
    )
    apply_reason = models.TextField(_("reason for applying despite the warning"), blank=True)
    reverted_at = models.DateTimeField(_("reverted at"), null=True, blank=True)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("reverted by"),
    )

    class Meta:
        verbose_name = _("reconciliation run")
        verbose_name_plural = _("reconciliation runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="recon_run_period_ordered"
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.period_start}–{self.period_end}"

    def counts(self):
        return {kind: getattr(self, field) for kind, field in COUNT_FIELDS.items()}


class Discrepancy(models.Model):
    run = models.ForeignKey(
        ReconciliationRun, on_delete=models.CASCADE, related_name="discrepancies", verbose_name=_("run")
    )
    kind = models.CharField(pgettext_lazy("discrepancy", "kind"), max_length=20, choices=DiscrepancyKind.choices)
    invoice = models.ForeignKey(
        "invoices.Invoice", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("invoice"),
    )
    row_no = models.PositiveIntegerField(_("row in file"), null=True, blank=True)
    number = models.CharField(_("invoice number"), max_length=40, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    platform_data = models.JSONField(_("platform row"), default=dict, blank=True)
    resolution = models.CharField(
        _("resolution"), max_length=20, choices=Resolution.choices, default=Resolution.OPEN, blank=True
    )
    resolution_note = models.TextField(_("resolution note"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("discrepancy")
        verbose_name_plural = _("discrepancies")
        ordering = ["run_id", "id"]
        indexes = [
            models.Index(fields=["run", "kind", "id"], name="discrepancy_run_kind_idx"),
            models.Index(fields=["run", "resolution", "id"], name="discrepancy_run_resolution_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}".strip()


class ProposedChange(models.Model):
    """One invoice's sync status as a run proposes it. Applying records the status it replaced, so the run can
    be reverted as a whole; `skipped` says why an apply left the invoice alone."""

    run = models.ForeignKey(
        ReconciliationRun, on_delete=models.CASCADE, related_name="changes", verbose_name=_("run")
    )
    invoice = models.ForeignKey(
        "invoices.Invoice", on_delete=models.PROTECT, related_name="+", verbose_name=_("invoice")
    )
    to_status = models.CharField(_("proposed sync status"), max_length=10)
    from_status = models.CharField(_("sync status before"), max_length=10, blank=True)
    applied = models.BooleanField(_("applied"), default=False)
    skipped = models.CharField(_("left alone because"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("proposed change")
        verbose_name_plural = _("proposed changes")
        constraints = [models.UniqueConstraint(fields=["run", "invoice"], name="proposed_change_once_per_run")]
        indexes = [models.Index(fields=["run", "to_status", "invoice"], name="proposed_change_run_idx")]

    def __str__(self):
        return f"{self.invoice_id} → {self.to_status}"


class CheckOrigin(models.TextChoices):
    PERSON = "person", _("a person")
    SCHEDULE = "schedule", _("the schedule")
    COMMAND = "command", _("the command line")


# A check's findings use the reconciliation's discrepancy kinds (one comparison, compare.row_discrepancies).
CHECK_COUNT_KEYS = ["pages", "listed", "matched", *DiscrepancyKind.values]
ACTIVE_CHECK = [RunStatus.QUEUED, RunStatus.RUNNING]


class PlatformCheck(models.Model):
    """A reconciliation against the platform's live batch listing (`list_invoices`) instead of an export file: no
    file and no person, so it may be scheduled. Its findings apply only once every page was read."""

    seller = models.ForeignKey(
        "invoices.Seller", on_delete=models.PROTECT, related_name="+", verbose_name=_("seller")
    )
    issued_from = models.DateField(_("issued from"))
    issued_to = models.DateField(_("issued to"), help_text=_("Inclusive."))
    origin = models.CharField(_("started by"), max_length=10, choices=CheckOrigin.choices,
                              default=CheckOrigin.PERSON)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("person who started it"),
    )
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    # The incidents app opens the incident from the check's signal and tells the check its number; a foreign key
    # would point the invoices app's schema at the incidents app, against the layers.
    incident_number = models.CharField(_("incident"), max_length=20, blank=True)
    error = models.TextField(_("reason it failed"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("platform check")
        verbose_name_plural = _("platform checks")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(issued_to__gte=models.F("issued_from")),
                                   name="platform_check_period_ordered"),
            # A second check of the same seller and period while one is queued or running is refused.
            models.UniqueConstraint(fields=["seller", "issued_from", "issued_to"],
                                    condition=models.Q(status__in=ACTIVE_CHECK), name="platform_check_one_active"),
        ]
        indexes = [models.Index(fields=["seller", "status", "finished_at"], name="platform_check_seller_idx")]

    def __str__(self):
        return f"{self.issued_from}–{self.issued_to}"


class PlatformCheckFinding(models.Model):
    """One discrepancy a check found, in the reconciliation's kinds. `applied` says what the check did about it."""

    check_run = models.ForeignKey(PlatformCheck, on_delete=models.CASCADE, related_name="findings",
                                  verbose_name=_("platform check"))
    kind = models.CharField(pgettext_lazy("discrepancy", "kind"), max_length=20, choices=DiscrepancyKind.choices)
    invoice = models.ForeignKey(
        "invoices.Invoice", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("invoice"),
    )
    number = models.CharField(_("invoice number"), max_length=40, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    platform_data = models.JSONField(_("platform row"), default=dict, blank=True)
    applied = models.CharField(_("what the check did"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("platform check finding")
        verbose_name_plural = _("platform check findings")
        ordering = ["check_run_id", "id"]
        indexes = [models.Index(fields=["check_run", "kind", "id"], name="check_finding_kind_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}".strip()


class PlatformCheckSeen(models.Model):
    """A ledger invoice a running check found in the listing: what remains unseen at the end is missing on the
    platform. Kept in the database, not in memory, so a check's memory does not grow with the period; deleted when
    the check ends."""

    check_run = models.ForeignKey(PlatformCheck, on_delete=models.CASCADE, related_name="+")
    invoice = models.ForeignKey("invoices.Invoice", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["check_run", "invoice"], name="platform_check_seen_once")]
