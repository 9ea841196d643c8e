from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from incidents.rendering import validate_template_text


class Channel(models.TextChoices):
    PHONE = "phone", _("phone")
    EMAIL = "email", _("email")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")
    IN_PERSON = "in_person", _("in person")
    LETTER = "letter", _("letter")
    PORTAL = "portal", _("customer portal")


class CommunicationDirection(models.TextChoices):
    INBOUND = "inbound", _("inbound")
    OUTBOUND = "outbound", _("outbound")


class CommunicationPurpose(models.TextChoices):
    """What an outbound email is for, where figures count it (the survey response rate counts sent surveys)."""

    GENERAL = "", _("general")
    SURVEY = "survey", _("satisfaction survey")


class DeliveryStatus(models.TextChoices):
    LOGGED = "logged", _("logged")
    QUEUED = "queued", _("queued")
    WAITING = "waiting", _("waiting for attachment")
    SENT = "sent", _("sent")
    FAILED = "failed", pgettext_lazy("delivery status", "failed")


class TemplatePurpose(models.TextChoices):
    APOLOGY = "apology", _("apology")
    REISSUE_NOTICE = "reissue_notice", _("reissue notice")
    RESOLUTION_NOTICE = "resolution_notice", _("resolution notice")
    OTHER = "other", _("other")


class CommunicationTemplate(models.Model):
    """Subject and body with {placeholders}; see incidents.rendering for the allowed names."""

    code = models.SlugField(_("code"), max_length=50)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    purpose = models.CharField(_("purpose"), max_length=20, choices=TemplatePurpose.choices)
    name = models.CharField(_("name"), max_length=200)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("communication template")
        verbose_name_plural = _("communication templates")
        ordering = ["code", "language"]
        constraints = [models.UniqueConstraint(fields=["code", "language"], name="template_code_language_unique")]

    def __str__(self):
        # The language by name ("简体中文"), not its code: template pickers show this.
        return f"{gettext(self.name)}（{self.get_language_display()}）"

    def clean(self):
        validate_template_text(subject=self.subject, body=self.body)


class Communication(models.Model):
    """One contact with a customer, logged or sent. Outbound email carries its delivery state."""

    # Empty only for the confirmation of a portal appeal whose invoice lookup found no customer: it goes to the
    # address the appellant typed, who holds the case page. Forms and the API still require one (blank=False).
    customer = models.ForeignKey(
        "invoices.Customer", on_delete=models.PROTECT, null=True, related_name="communications",
        verbose_name=_("customer"),
    )
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, null=True, blank=True, related_name="communications",
        verbose_name=_("incident"),
    )
    invoice = models.ForeignKey(
        "invoices.Invoice", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("invoice"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    direction = models.CharField(pgettext_lazy("communication", "direction"), max_length=8, choices=CommunicationDirection.choices)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)
    contact = models.CharField(_("contact"), max_length=200, blank=True, help_text=_("Person, phone or address."))
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"), blank=True)
    template = models.ForeignKey(
        CommunicationTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("template used"),
    )
    delivery_status = models.CharField(
        _("delivery status"), max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.LOGGED
    )
    purpose = models.CharField(
        _("purpose"), max_length=10, choices=CommunicationPurpose.choices, default=CommunicationPurpose.GENERAL,
        blank=True,
    )
    attachments = models.JSONField(
        _("attachments"), default=list, blank=True,
        help_text=_("Files of the invoice sent with the email, fetched from the tax platform when it goes out."),
    )
    delivery_attempts = models.PositiveSmallIntegerField(_("delivery attempts"), default=0)
    delivery_error = models.TextField(_("last delivery error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    callback_at = models.DateTimeField(_("promised callback at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("logged by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("communication")
        verbose_name_plural = _("communications")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-occurred_at"], name="communication_customer_idx"),
            models.Index(fields=["delivery_status", "next_attempt_at"], name="communication_delivery_idx"),
            models.Index(fields=["-occurred_at", "-id"], name="communication_occurred_idx"),
        ]
        constraints = [
            # One survey per incident, ever: a second resolution after a send-back asks nothing again.
            models.UniqueConstraint(fields=["incident"], condition=models.Q(purpose="survey"),
                                    name="communication_one_survey_per_incident"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.get_direction_display()} {self.subject or ''}".strip()

    @property
    def attachment_names(self):
        return [item.get("name", "") for item in self.attachments or []]
