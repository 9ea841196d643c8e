from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.history import history_user

from . import sla_breach


class IncidentKind(models.TextChoices):
    COMPLAINT = "complaint", _("complaint")
    FAULT = "fault", _("fault")


class IncidentCategory(models.TextChoices):
    INVOICE_MISSING = "invoice_missing", _("invoice missing in the tax system")
    SYNC_FAILURE = "sync_failure", _("sync failure")
    PLATFORM_OUTAGE = "platform_outage", _("tax platform outage")
    CREDIT_EXCEEDED = "credit_exceeded", _("credit limit exceeded")
    INVOICE_RISK = "invoice_risk", _("invoice flagged by the tax bureau (发票风险)")
    PLATFORM_CHECK = "platform_check", _("platform check discrepancies (平台核对差异)")
    DATA_ENTRY_ERROR = "data_entry_error", _("data entry error")
    NETWORK = "network", _("network")
    PERMISSION = "permission", _("permission")
    AUTHENTICITY = "authenticity", _("authenticity in doubt")
    OTHER = "other", _("other")


class Severity(models.TextChoices):
    SEV1 = "sev1", _("sev1 (critical)")
    SEV2 = "sev2", _("sev2 (major)")
    SEV3 = "sev3", _("sev3 (minor)")
    SEV4 = "sev4", _("sev4 (low)")


class IncidentStatus(models.TextChoices):
    NEW = "new", _("new")
    INVESTIGATING = "investigating", _("investigating")
    WAITING_CUSTOMER = "waiting_customer", _("waiting for customer")
    WAITING_PLATFORM = "waiting_platform", _("waiting for platform")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("closed")


class OpenedVia(models.TextChoices):
    STAFF = "staff", _("opened by staff")
    PORTAL = "portal", _("customer portal")
    SYSTEM = "system", _("automatic")


OPEN_STATUSES = (
    IncidentStatus.NEW, IncidentStatus.INVESTIGATING, IncidentStatus.WAITING_CUSTOMER, IncidentStatus.WAITING_PLATFORM,
)
CLOSED_STATUSES = (IncidentStatus.RESOLVED, IncidentStatus.CLOSED)


class Incident(models.Model):
    """A complaint or fault, worked through its playbook, reviewed by a manager before it closes.

    Status, owner, times and review fields change only through incidents.services, which write the
    timeline event in the same transaction."""

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(pgettext_lazy("incident", "kind"), max_length=12, choices=IncidentKind.choices, default=IncidentKind.COMPLAINT)
    category = models.CharField(_("category"), max_length=20, choices=IncidentCategory.choices)
    severity = models.CharField(_("severity"), max_length=4, choices=Severity.choices, default=Severity.SEV3)
    status = models.CharField(
        _("status"), max_length=20, choices=IncidentStatus.choices, default=IncidentStatus.NEW, editable=False
    )
    customer = models.ForeignKey(
        "invoices.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="incidents",
        verbose_name=_("customer"),
    )
    seller = models.ForeignKey(
        "invoices.Seller", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("issuing entity"),
    )
    invoices = models.ManyToManyField(
        "invoices.Invoice", blank=True, related_name="incidents", verbose_name=_("affected invoices")
    )
    team = models.ForeignKey(
        "incidents.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="incidents",
        verbose_name=_("team"), help_text=_("Reps see only their team's incidents; empty means the shared queue."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="owned_incidents",
        verbose_name=_("owner"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("created by"), editable=False,
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    # Typed times of the incident's life; staff may enter the first ones after the fact.
    fault_started_at = models.DateTimeField(_("fault started at"), null=True, blank=True)
    detected_at = models.DateTimeField(_("detected at"), default=timezone.now)
    platform_recovered_at = models.DateTimeField(_("platform recovered at"), null=True, blank=True)
    customer_informed_at = models.DateTimeField(_("customer informed at"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True, editable=False)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    root_cause_category = models.ForeignKey(
        "incidents.RootCauseCategory", on_delete=models.PROTECT, null=True, blank=True, related_name="incidents",
        verbose_name=_("root-cause category"), help_text=_("Required to resolve; counted in the reports."),
    )
    root_cause = models.TextField(_("root cause"), blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    # SLA due times, computed in business hours when the incident opens or its severity changes.
    response_due_at = models.DateTimeField(_("response due"), null=True, blank=True, editable=False)
    resolve_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("reviewed by"), editable=False,
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True, editable=False)
    # Automatic incidents (outage, sync failure, verify failure) carry a key so signals find "the" open one.
    opened_via = models.CharField(
        _("opened via"), max_length=8, choices=OpenedVia.choices, default=OpenedVia.STAFF, db_index=True
    )
    source_key = models.CharField(_("source key"), max_length=100, blank=True, default="", editable=False)
    # Merged (incidents.services.merge): this incident was about the same problem as that one, which now holds its
    # invoices, communications and follow-ups; it is closed with this link instead of a review.
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates",
        verbose_name=_("duplicate of"), editable=False,
    )

    # Audit trail: who changed which field when (see backoffice/history.py).
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-id"]
        permissions = [
            ("review_incident", _("Can sign off incident reviews")),
            ("work_any_incident", _("Can work on incidents owned by others")),
            ("view_every_team", _("Can see incidents and follow-ups of every team")),
        ]
        constraints = [
            # One open automatic incident per outage / seller-day / customer: the database breaks the race.
            models.UniqueConstraint(
                fields=["source_key"],
                condition=~Q(source_key="") & Q(platform_recovered_at__isnull=True)
                & Q(status__in=[s.value for s in OPEN_STATUSES]),
                name="incident_one_open_per_source",
            ),
            # A merged duplicate is closed by the merge (the link is its record), every other one by a review.
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(reviewed_by__isnull=False) & Q(closed_at__isnull=False))
                | (Q(duplicate_of__isnull=False) & Q(closed_at__isnull=False)),
                name="incident_closed_needs_review",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["resolved", "closed"]) | (~Q(root_cause="") & ~Q(resolution=""))
                | Q(duplicate_of__isnull=False),
                name="incident_resolved_needs_root_cause",
            ),
            models.CheckConstraint(condition=~Q(duplicate_of=models.F("pk")), name="incident_not_own_duplicate"),
        ]
        indexes = [
            models.Index(fields=["status", "-id"], name="incident_status_idx"),
            models.Index(fields=["category", "status"], name="incident_category_idx"),
            models.Index(fields=["owner", "status"], name="incident_owner_idx"),
            # "mine" in the admin and owner=me in the API, newest first.
            models.Index(fields=["owner", "-id"], name="incident_owner_newest_idx"),
            models.Index(fields=["team", "-id"], name="incident_team_idx"),
            models.Index(fields=["created_at"], name="incident_created_idx"),
            # The management dashboard and report select incidents resolved in a period.
            models.Index(fields=["resolved_at"], name="incident_resolved_idx"),
            models.Index(fields=["customer", "status"], name="incident_customer_idx"),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    # The SLA-breach rule lives in sla_breach.py, where the query expressions are built from the same definition.
    def response_breached(self, now=None):
        return sla_breach.missed(self, sla_breach.RESPONSE, now)

    def resolve_breached(self, now=None):
        return sla_breach.missed(self, sla_breach.RESOLUTION, now)

    def sla_breached(self, now=None):
        now = now or timezone.now()
        return self.response_breached(now) or self.resolve_breached(now)


class IncidentSequence(models.Model):
    """Last INC-YYYY-NNNNNN number per year; the row is locked while a number is taken."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)
