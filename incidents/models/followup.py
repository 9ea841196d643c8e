from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.history import history_user


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("open")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


class FollowUpKind(models.TextChoices):
    CALLBACK = "callback", _("follow-up")
    PREVENTION = "prevention", _("prevention action")


class FollowUpPriority(models.IntegerChoices):
    LOW = 1, _("low")
    NORMAL = 2, _("normal")
    HIGH = 3, _("high")
    URGENT = 4, _("urgent")


class FollowUp(models.Model):
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, null=True, blank=True, related_name="follow_ups",
        verbose_name=_("incident"),
    )
    customer = models.ForeignKey(
        "invoices.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="follow_ups",
        verbose_name=_("customer"),
    )
    communication = models.ForeignKey(
        "incidents.Communication", on_delete=models.PROTECT, null=True, blank=True, related_name="follow_ups",
        verbose_name=_("from communication"), editable=False,
    )
    # The incident's team, or the creator's for a follow-up on a customer alone (see incidents/access.py).
    team = models.ForeignKey(
        "incidents.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="follow_ups",
        verbose_name=_("team"), editable=False,
    )
    # A prevention action comes from an incident's "review and prevent" step; reports count them apart.
    kind = models.CharField(_("kind"), max_length=12, choices=FollowUpKind.choices, default=FollowUpKind.CALLBACK,
                            editable=False)
    title = models.CharField(_("title"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("assignee")
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("assigned by"), editable=False,
    )
    due_at = models.DateTimeField(_("due at"))
    priority = models.PositiveSmallIntegerField(_("priority"), choices=FollowUpPriority.choices,
                                                default=FollowUpPriority.NORMAL)
    status = models.CharField(_("status"), max_length=10, choices=FollowUpStatus.choices,
                              default=FollowUpStatus.OPEN, editable=False)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True, editable=False)
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    # Audit trail: who changed which field when (see backoffice/history.py).
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_at", "id"]
        permissions = [("assign_followup", _("Can assign and reassign follow-ups"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(incident__isnull=False) | Q(customer__isnull=False), name="followup_has_subject"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "assignee", "due_at"], name="followup_assignee_due_idx"),
            models.Index(fields=["status", "due_at"], name="followup_due_idx"),
            # "My follow-ups" in the admin: assignee = me ordered by (-status, due_at, id).
            models.Index(fields=["assignee", "-status", "due_at", "id"], name="followup_my_list_idx"),
            models.Index(fields=["team", "status", "due_at"], name="followup_team_due_idx"),
        ]

    def __str__(self):
        return self.title

    def is_overdue(self, now=None):
        return self.status == FollowUpStatus.OPEN and self.due_at < (now or timezone.now())
