"""Reissue requests and red-letter confirmation forms (红字发票信息确认单)."""
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.history import history_user
from invoices.ledger.models import MONEY, Customer, Invoice


class RedFlushReason(models.TextChoices):
    INVOICING_ERROR = "01", _("01 invoicing error (开票有误)")
    GOODS_RETURNED = "02", _("02 goods returned (销货退回)")
    SERVICE_STOPPED = "03", _("03 service stopped (服务中止)")
    SALES_ALLOWANCE = "04", _("04 sales allowance (销售折让)")


class ReissueScope(models.TextChoices):
    FULL = "full", _("full red-flush")
    PARTIAL = "partial", _("partial red-flush")


class ReissueStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    APPROVED = "approved", _("approved")
    COMPLETED = "completed", _("completed")
    REJECTED = "rejected", _("rejected")
    CANCELLED = "cancelled", _("cancelled")
    FAILED = "failed", pgettext_lazy("reissue status", "failed")


OPEN_REISSUE_STATUSES = (ReissueStatus.REQUESTED, ReissueStatus.APPROVED, ReissueStatus.FAILED)


class ReissueStep(models.TextChoices):
    NONE = "", _("not started")
    FORM = "form", _("red-letter form filled")
    RED = "red", _("red invoice issued")
    NEW = "new", _("new invoice issued")
    DONE = "done", _("chain linked")


class RedLetterFormStatus(models.TextChoices):
    NO_CONFIRMATION = "01", _("01 no confirmation needed (无需确认)")
    SELLER_ENTERED = "02", _("02 entered by seller, awaiting buyer (销方录入待购方确认)")
    BUYER_ENTERED = "03", _("03 entered by buyer, awaiting seller (购方录入待销方确认)")
    CONFIRMED = "04", _("04 confirmed by both (购销双方已确认)")
    VOIDED_BY_ENTRANT = "05", _("05 voided by entrant (作废-录入方撤销)")
    VOIDED_BY_REFUSAL = "06", _("06 voided by refusal (作废-对方拒绝)")
    LAPSED = "07", _("07 lapsed after 72 hours (作废-超72小时未确认)")
    VOIDED_RED_ISSUED_ELSEWHERE = "08", _("08 voided (作废-发票已被冲红)")
    VOIDED_OTHER = "09", _("09 voided (作废-其他)")
    APPLYING = "10", _("10 applying (申请中)")


USABLE_FORM_STATUSES = (RedLetterFormStatus.NO_CONFIRMATION, RedLetterFormStatus.CONFIRMED)


class RedLetterForm(models.Model):
    number = models.CharField(_("form number"), max_length=20, unique=True)
    original = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="red_letter_forms", verbose_name=_("blue invoice")
    )
    reason = models.CharField(_("reason"), max_length=2, choices=RedFlushReason.choices)
    status = models.CharField(_("status"), max_length=2, choices=RedLetterFormStatus.choices)
    buyer_confirmation_needed = models.BooleanField(
        _("buyer confirmation needed"), help_text=_("The buyer has already confirmed use (用途确认) of the invoice.")
    )
    entered_by = models.CharField(
        _("entered by"), max_length=6, choices=[("seller", _("seller")), ("buyer", _("buyer"))], default="seller"
    )
    amount = models.DecimalField(_("red amount"), **MONEY)
    tax_amount = models.DecimalField(_("red tax"), **MONEY)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    lapses_at = models.DateTimeField(_("lapses at"), null=True, blank=True)

    class Meta:
        verbose_name = _("red-letter confirmation form")
        verbose_name_plural = _("red-letter confirmation forms")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "lapses_at"], name="redform_lapse_idx")]

    def __str__(self):
        return self.number

    @property
    def usable(self):
        return self.status in USABLE_FORM_STATUSES


class ReissueRequest(models.Model):
    original = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="reissue_requests", verbose_name=_("original invoice")
    )
    reason = models.CharField(_("reason"), max_length=2, choices=RedFlushReason.choices)
    scope = models.CharField(_("scope"), max_length=8, choices=ReissueScope.choices, default=ReissueScope.FULL)
    # Partial scope: [{"line_no": 1, "amount": "100.00", "quantity": "1"}] — positive amounts to flush.
    red_lines = models.JSONField(_("lines to red-flush"), default=list, blank=True)
    issue_new = models.BooleanField(_("issue a replacement invoice"), default=True)
    new_buyer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("new buyer")
    )
    new_buyer_name = models.CharField(_("new buyer name"), max_length=200, blank=True)
    new_buyer_tax_id = models.CharField(_("new buyer tax id"), max_length=20, blank=True)
    new_lines = models.JSONField(_("new invoice lines"), default=list, blank=True)
    new_remarks = models.TextField(_("new remarks"), blank=True)
    buyer_confirmed_use = models.BooleanField(
        _("buyer has confirmed use"), default=False,
        help_text=_("If the buyer has confirmed use (用途确认) of the invoice, the red-letter form needs the "
                    "buyer's confirmation within 72 hours."),
    )
    note = models.TextField(_("why"), blank=True)
    origin_ref = models.CharField(
        _("origin"), max_length=40, blank=True, help_text=_("The incident this request came from, if any.")
    )
    status = models.CharField(_("status"), max_length=10, choices=ReissueStatus.choices, default=ReissueStatus.REQUESTED)
    step = models.CharField(_("step reached"), max_length=4, choices=ReissueStep.choices, blank=True, default="")
    failure = models.TextField(_("failure"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    decided_reason = models.TextField(_("rejection reason"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    red_letter_form = models.OneToOneField(
        RedLetterForm, on_delete=models.PROTECT, null=True, blank=True, related_name="request",
        verbose_name=_("red-letter form"),
    )
    red_invoice = models.OneToOneField(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("red invoice")
    )
    new_invoice = models.OneToOneField(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="reissued_from",
        verbose_name=_("new invoice"),
    )

    # Audit trail: who changed which field when (see core/history.py).
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("reissue request")
        verbose_name_plural = _("reissue requests")
        ordering = ["requested_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["original"], condition=Q(status__in=[s.value for s in OPEN_REISSUE_STATUSES]),
                name="reissue_one_open_per_invoice",
            ),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("requested_by")),
                name="reissue_approver_differs_from_requester",
            ),
            models.CheckConstraint(
                condition=~Q(reason="01") | (Q(scope="full") & Q(issue_new=True)),
                name="reissue_invoicing_error_is_full_with_new",
            ),
        ]
        indexes = [models.Index(fields=["status", "requested_at", "id"], name="reissue_queue_idx")]

    def __str__(self):
        return f"#{self.pk} {self.original} ({self.get_status_display()})"

    @property
    def is_open(self):
        return self.status in OPEN_REISSUE_STATUSES

