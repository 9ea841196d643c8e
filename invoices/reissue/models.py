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
    FAILED = "failed", pgettext_lazy("reissue status", "failed")  # not the sync status 同步失败
    LAPSED = "lapsed", _("lapsed: the buyer did not confirm within 72 hours")


OPEN_REISSUE_STATUSES = (ReissueStatus.REQUESTED, ReissueStatus.APPROVED, ReissueStatus.FAILED, ReissueStatus.LAPSED)


class ReissueStep(models.TextChoices):
    NONE = "", _("not started")
    FORM = "form", _("red-letter form filled")
    RED = "red", _("red invoice issued")
    NEW = "new", _("new invoice issued")
    DONE = "done", _("chain linked")


class RedLetterFormStatus(models.TextChoices):
    """The platform's codes (乐企 and the providers agree); the platform sets them, the back office mirrors them."""

    NO_CONFIRMATION = "01", _("01 No confirmation needed")
    SELLER_ENTERED = "02", _("02 Entered by seller, awaiting buyer's confirmation")
    BUYER_ENTERED = "03", _("03 Entered by buyer, awaiting seller's confirmation")
    CONFIRMED = "04", _("04 Confirmed by both")
    VOID_BUYER_DENIED = "05", _("05 Void (entered by seller, denied by buyer)")
    VOID_SELLER_DENIED = "06", _("06 Void (entered by buyer, denied by seller)")
    LAPSED = "07", _("07 Void (not confirmed within 72 hours)")
    VOID_WITHDRAWN = "08", _("08 Void (withdrawn by the entering side)")
    VOID_AFTER_CONFIRMATION = "09", _("09 Void (withdrawn after confirmation)")
    VOID_ABNORMAL = "10", _("10 Void (abnormal invoice)")


USABLE_FORM_STATUSES = (RedLetterFormStatus.NO_CONFIRMATION, RedLetterFormStatus.CONFIRMED)
WAITING_FORM_STATUSES = (RedLetterFormStatus.SELLER_ENTERED, RedLetterFormStatus.BUYER_ENTERED)
VOID_FORM_STATUSES = ("05", "06", "07", "08", "09", "10")


class FormProposal(models.TextChoices):
    NONE = "", _("none yet")
    ACCEPT = "accept", _("confirm the buyer's form")
    REFUSE = "refuse", _("deny the buyer's form")


class RedLetterForm(models.Model):
    """The back office's copy of a form the platform holds: the number and status are only ever the platform's."""

    number = models.CharField(_("form number"), max_length=20, unique=True)
    original = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="red_letter_forms", verbose_name=_("blue invoice")
    )
    reason = models.CharField(_("reason"), max_length=2, choices=RedFlushReason.choices)
    status = models.CharField(_("status"), max_length=2, choices=RedLetterFormStatus.choices)
    entered_by = models.CharField(
        _("entered by"), max_length=6, choices=[("seller", _("seller")), ("buyer", _("buyer"))], default="seller"
    )
    amount = models.DecimalField(_("red amount"), **MONEY)
    tax_amount = models.DecimalField(_("red tax"), **MONEY)
    lines = models.JSONField(_("lines"), default=list, blank=True)
    created_at = models.DateTimeField(_("entered at"), default=timezone.now)
    lapses_at = models.DateTimeField(_("lapses at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    checked_at = models.DateTimeField(_("status read from the platform at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("buyer reminded at"), null=True, blank=True)
    # A form the buyer entered (03) is answered by two finance people: one proposes, another agrees.
    proposal = models.CharField(_("proposal"), max_length=6, choices=FormProposal.choices, blank=True, default="")
    proposal_issue_new = models.BooleanField(_("issue a new invoice after the red one"), default=False)
    proposal_note = models.TextField(_("proposal note"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("agreed by"),
    )
    answered_at = models.DateTimeField(_("agreed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("red-letter confirmation form")
        verbose_name_plural = _("red-letter confirmation forms")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "lapses_at"], name="redform_lapse_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_by__isnull=True) | ~Q(answered_by=F("proposed_by")),
                name="redform_answer_by_a_second_person",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def usable(self):
        return self.status in USABLE_FORM_STATUSES

    @property
    def waiting(self):
        return self.status in WAITING_FORM_STATUSES


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
    # Each new form (after one lapsed or was denied) is submitted under a new idempotency key.
    form_round = models.PositiveSmallIntegerField(_("forms submitted"), default=0)
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
        return _("Reissue of %(n)s (%(s)s)") % {"n": self.original, "s": self.get_status_display()}

    @property
    def is_open(self):
        return self.status in OPEN_REISSUE_STATUSES

