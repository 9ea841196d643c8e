from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .incident import IncidentCategory


class Playbook(models.Model):
    """Troubleshooting steps for one category, edited in the admin. New incidents copy the steps.

    Reference data in the user's language: the default names, titles and instructions (incidents/playbooks.py)
    are stored as their English msgids and translated where shown (gettext returns a text without a catalogue
    entry, such as a step a manager wrote in Chinese, unchanged)."""

    category = models.CharField(_("category"), max_length=20, choices=IncidentCategory.choices, unique=True)
    name = models.CharField(_("name"), max_length=200)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("playbook")
        verbose_name_plural = _("playbooks")
        ordering = ["category"]

    def __str__(self):
        return gettext(self.name)  # the defaults are stored as their English msgid and shown translated


class PlaybookStep(models.Model):
    playbook = models.ForeignKey(Playbook, on_delete=models.CASCADE, related_name="steps", verbose_name=_("playbook"))
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("step"), max_length=200)
    help_text = models.TextField(_("how to"), blank=True)
    records_prevention = models.BooleanField(
        _("records a prevention action"), default=False,
        help_text=_("Ticking this step asks for a prevention action, its owner and due date (a follow-up)."),
    )

    class Meta:
        verbose_name = _("playbook step")
        verbose_name_plural = _("playbook steps")
        ordering = ["playbook_id", "position", "id"]

    def __str__(self):
        return f"{self.position}. {gettext(self.title)}"


class IncidentStep(models.Model):
    """The incident's own checklist: a copy of the playbook taken when it opened, so later edits of the
    playbook do not rewrite what was done on old incidents."""

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.CASCADE, related_name="steps", verbose_name=_("incident")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("step"), max_length=200)
    help_text = models.TextField(_("how to"), blank=True)
    records_prevention = models.BooleanField(_("records a prevention action"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("done by"),
    )
    # A step that does not apply is skipped, with the reason a reviewer reads; done_at/done_by say when and who.
    skip_reason = models.TextField(_("skipped because"), blank=True)

    class Meta:
        verbose_name = _("checklist step")
        verbose_name_plural = _("checklist")
        ordering = ["incident_id", "position", "id"]

    def __str__(self):
        return f"{self.position}. {gettext(self.title)}"
