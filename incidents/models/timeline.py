from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.append_only import AppendOnlyModel
from core.event_texts import render


class EventKind(models.TextChoices):
    CREATED = "created", _("opened")
    NOTE = "note", _("note")
    STATUS_CHANGE = "status_change", _("status change")
    UPDATED = "updated", _("details changed")
    STEP_DONE = "step_done", _("step done")
    COMMUNICATION = "communication", _("communication")
    FOLLOW_UP = "follow_up", _("follow-up")
    SYNC = "sync", _("sync")
    REISSUE = "reissue", _("reissue")
    REVIEW = "review", _("review")
    INVOICES = "invoices", _("invoices attached")
    CUSTOMER_MESSAGE = "customer_msg", _("message from the customer")
    SATISFACTION = "satisfaction", _("satisfaction survey answered")
    MERGE = "merge", _("merged")


class IncidentEvent(AppendOnlyModel):
    """The incident's append-only timeline. `at` is when it happened (staff may log a call made earlier);
    `recorded_at` is when it was written, so a back-dated note is still visible as such."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="events", verbose_name=_("incident")
    )
    kind = models.CharField(pgettext_lazy("incident event", "kind"), max_length=20, choices=EventKind.choices)
    at = models.DateTimeField(_("time"), default=timezone.now)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("actor"),
    )
    # Free text a person typed (a note, the customer's message), and the whole text of rows written before
    # message codes existed.
    message = models.TextField(_("message"), blank=True)
    # What happened, as a stable code and plain parameters: rendered in the reader's language (core/event_texts.py).
    message_code = models.CharField(_("message code"), max_length=60, blank=True, default="")
    params = models.JSONField(_("message parameters"), default=dict, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("incident event")
        verbose_name_plural = _("incident events")
        ordering = ["incident_id", "at", "id"]
        indexes = [models.Index(fields=["incident", "at", "id"], name="incident_event_timeline_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} @ {timezone.localtime(self.at):%Y-%m-%d %H:%M}"

    @property
    def text(self):
        """What happened, in the reader's language."""
        return render(self)
