from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .communication import DeliveryStatus


class StaffEmailPurpose(models.TextChoices):
    REMINDER = "reminder", _("follow-up reminder")
    ESCALATION = "escalation", _("follow-up escalation")
    REPORT = "report", _("management report")
    CREDIT_LOW = "credit_low", _("credit limit running low")


class StaffEmail(models.Model):
    """An email to staff, recorded before it goes out. It carries the same delivery fields as a customer's
    Communication, and the same job and function (incidents.services.mail) deliver both, with the same lease,
    attempts and 重试. Staff emails are not contacts with a customer, so they never show among communications."""

    purpose = models.CharField(_("purpose"), max_length=12, choices=StaffEmailPurpose.choices)
    recipients = models.JSONField(_("recipients"), default=list, help_text=_("Email addresses, all on one message."))
    subject = models.TextField(_("subject"))
    body = models.TextField(_("body"), blank=True)
    incident = models.ForeignKey("incidents.Incident", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("incident"))
    followup = models.ForeignKey("incidents.FollowUp", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("follow-up"))
    report = models.ForeignKey("incidents.Report", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="emails", verbose_name=_("management report"))
    attachments = models.JSONField(_("attachments"), default=list, blank=True,
                                   help_text=_("Files of the report sent with the email, read when it goes out."))
    delivery_status = models.CharField(_("delivery status"), max_length=8, choices=DeliveryStatus.choices,
                                       default=DeliveryStatus.QUEUED)
    delivery_attempts = models.PositiveSmallIntegerField(_("delivery attempts"), default=0)
    delivery_error = models.TextField(_("last delivery error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    # What the email is about, for an email no other row owns (a seller's low credit): a job that runs twice
    # records it once.
    key = models.CharField(_("deduplication key"), max_length=100, null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("staff email")
        verbose_name_plural = _("staff emails")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["delivery_status", "next_attempt_at"], name="staff_email_delivery_idx")]

    def __str__(self):
        return f"{self.get_purpose_display()}: {self.subject}"

    @property
    def attachment_names(self):
        return [item.get("name", "") for item in self.attachments or []]
