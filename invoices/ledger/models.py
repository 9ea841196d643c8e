from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.append_only import AppendOnlyModel
from core.event_texts import render
from core.history import history_user

MONEY = {"max_digits": 16, "decimal_places": 2}


class Seller(models.Model):
    """An issuing entity (开票主体), e.g. the Beijing company."""

    name = models.CharField(_("name"), max_length=200)
    tax_id = models.CharField(_("tax id"), max_length=20, unique=True)
    region = models.CharField(_("region"), max_length=50, help_text=_("e.g. 北京"))
    region_code = models.CharField(
        _("province code"), max_length=2, help_text=_("Digits 3–4 of a 数电 invoice number; Beijing is 11.")
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    bank_name = models.CharField(_("bank"), max_length=200, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("seller")
        verbose_name_plural = _("sellers")
        ordering = ["name", "id"]

    def __str__(self):
        return f"{self.name} ({self.region})"


class Customer(models.Model):
    """A buyer (购方)."""

    name = models.CharField(_("name"), max_length=200, db_index=True)
    tax_id = models.CharField(_("tax id"), max_length=20, blank=True, db_index=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    bank_name = models.CharField(_("bank"), max_length=200, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=50, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    mobile = models.CharField(_("mobile"), max_length=30, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    # Audit trail: who changed which field when (see core/history.py).
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name", "id"], name="customer_name_id_idx")]
        permissions = [("import_customers", _("Can import customers from a file"))]
        constraints = [
            models.UniqueConstraint(
                fields=["tax_id"], condition=~Q(tax_id=""), name="customer_tax_id_unique_when_set"
            ),
        ]

    def __str__(self):
        return f"{self.name} {self.tax_id}".strip()


class InvoiceKind(models.TextChoices):
    DIGITAL_SPECIAL = "digital_special", _("Digital e-invoice (special VAT)")
    DIGITAL_GENERAL = "digital_general", _("Digital e-invoice (general)")
    VAT_SPECIAL = "vat_special", _("Special VAT invoice (paper)")
    VAT_GENERAL = "vat_general", _("General VAT invoice (paper)")
    VAT_ELECTRONIC_GENERAL = "vat_electronic_general", _("Electronic general VAT invoice")
    VAT_ELECTRONIC_SPECIAL = "vat_electronic_special", _("Electronic special VAT invoice")
    DIGITAL_PAPER_SPECIAL = "digital_paper_special", _("Digital paper invoice (special VAT)")
    DIGITAL_PAPER_GENERAL = "digital_paper_general", _("Digital paper invoice (general)")
    DIGITAL_MOTOR_VEHICLE = "digital_motor_vehicle", _("Digital e-invoice (motor vehicle sales)")
    VAT_GENERAL_ROLL = "vat_general_roll", _("General VAT invoice (roll)")
    MOTOR_VEHICLE = "motor_vehicle", _("Motor vehicle sales invoice (paper)")


DIGITAL_KINDS = (InvoiceKind.DIGITAL_SPECIAL, InvoiceKind.DIGITAL_GENERAL)
# Only paper can be voided (作废); every electronic invoice is corrected by a red one.
ELECTRONIC_KINDS = DIGITAL_KINDS + (
    InvoiceKind.VAT_ELECTRONIC_GENERAL, InvoiceKind.VAT_ELECTRONIC_SPECIAL, InvoiceKind.DIGITAL_MOTOR_VEHICLE,
)


class Direction(models.TextChoices):
    BLUE = "blue", _("blue (positive)")
    RED = "red", _("red (negative)")


class InvoiceStatus(models.TextChoices):
    ISSUED = "issued", _("issued")
    PARTIALLY_RED_FLUSHED = "partially_red_flushed", _("partially red-flushed")
    RED_FLUSHED = "red_flushed", _("red-flushed")
    VOID = "void", _("void")


class SyncStatus(models.TextChoices):
    NOT_SENT = "not_sent", _("not sent")
    PENDING = "pending", _("pending")
    SYNCED = "synced", _("synced")
    FAILED = "failed", _("failed")
    MISSING = "missing", _("missing on platform")
    MISMATCH = "mismatch", _("differs from platform")


class RiskLevel(models.TextChoices):
    """发票风险等级 as the platform's export reports it."""

    NORMAL = "normal", pgettext_lazy("invoice risk level", "normal")
    ABNORMAL = "abnormal", _("abnormal voucher (异常凭证)")
    SUSPICIOUS = "suspicious", _("suspicious invoice (疑点发票)")


class ZeroRateFlag(models.TextChoices):
    """Why a 0% line carries no tax; the 税率 column prints the flag instead of 0%."""

    NONE = "", _("none")
    EXEMPT = "exempt", _("tax exempt (免税)")
    NOT_TAXABLE = "not_taxable", _("not taxable (不征税)")
    EXPORT_ZERO = "export_zero", _("export zero rate (出口零税率)")


class Invoice(models.Model):
    kind = models.CharField(_("kind"), max_length=32, choices=InvoiceKind.choices)
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices, default=Direction.BLUE)
    code = models.CharField(_("invoice code"), max_length=12, blank=True, default="")
    number = models.CharField(_("invoice number"), max_length=20)
    issued_at = models.DateTimeField(_("issued at"))
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("seller"))
    buyer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("buyer"))
    buyer_name = models.CharField(_("buyer name at issue"), max_length=200)
    buyer_tax_id = models.CharField(_("buyer tax id at issue"), max_length=20, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    tax_amount = models.DecimalField(_("tax"), **MONEY)
    total = models.DecimalField(_("total incl. tax"), **MONEY)
    status = models.CharField(
        _("status"), max_length=24, choices=InvoiceStatus.choices, default=InvoiceStatus.ISSUED
    )
    sync_status = models.CharField(
        _("sync status"), max_length=12, choices=SyncStatus.choices, default=SyncStatus.NOT_SENT
    )
    risk_level = models.CharField(
        _("risk level"), max_length=12, choices=RiskLevel.choices, default=RiskLevel.NORMAL,
        help_text=_("发票风险等级 as the platform reports it."),
    )
    remarks = models.TextField(_("remarks"), blank=True)
    drawer = models.CharField(_("drawer"), max_length=50, blank=True, help_text=_("The person who drew the invoice (开票人)."))
    original = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("original (blue) invoice"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    # Audit trail: who changed which field when (see core/history.py).
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_at", "-id"]
        permissions = [
            ("reissue_invoice", _("Can request an invoice reissue")),
            ("approve_reissue", _("Can approve an invoice reissue")),
            ("sync_invoice", _("Can sync and verify invoices with the tax platform")),
            ("verify_invoice", _("Can verify on the tax platform whether it holds an invoice")),
            ("reconcile_invoices", _("Can reconcile the ledger with the platform export")),
            ("import_invoices", _("Can import invoices from a file")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["code", "number"], name="invoice_code_number_unique"),
            models.CheckConstraint(
                condition=Q(direction="red") | (Q(amount__gte=0) & Q(tax_amount__gte=0) & Q(total__gte=0)),
                name="invoice_blue_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(direction="blue") | (Q(total__lte=0) & Q(original__isnull=False)),
                name="invoice_red_negative_with_original",
            ),
            models.CheckConstraint(
                condition=~Q(status="void", kind__in=[k.value for k in ELECTRONIC_KINDS]),
                name="invoice_electronic_never_void",
            ),
        ]
        indexes = [
            models.Index(fields=["number"], name="invoice_number_idx"),
            # Composite with id: the admin orders by (-issued_at, -id), the API's cursor by -id.
            models.Index(fields=["buyer_tax_id", "-issued_at", "-id"], name="invoice_buyer_tax_issued_idx"),
            models.Index(fields=["sync_status", "-issued_at", "-id"], name="invoice_sync_status_idx"),
            models.Index(fields=["status", "-issued_at", "-id"], name="invoice_status_idx"),
            models.Index(fields=["-issued_at", "-id"], name="invoice_issued_idx"),
            models.Index(fields=["seller", "-issued_at", "-id"], name="invoice_seller_issued_id_idx"),
            # Few rows are flagged; the list filter reads only those.
            models.Index(
                fields=["risk_level", "-issued_at", "-id"], condition=~Q(risk_level="normal"),
                name="invoice_risky_idx",
            ),
        ]

    def __str__(self):
        return f"{self.code}-{self.number}" if self.code else self.number

    @property
    def is_digital(self):
        return self.kind in DIGITAL_KINDS

    def save(self, *args, **kwargs):
        # Issued invoices are immutable except for the fields services move (status, sync state);
        # services pass update_fields, so a full save of an existing row means someone bypassed them.
        if self.pk and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            raise ValidationError(_("An issued invoice cannot be edited; correct it through a reissue."))
        super().save(*args, **kwargs)


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines", verbose_name=_("invoice"))
    line_no = models.PositiveSmallIntegerField(_("line"))
    name = models.CharField(_("goods or service"), max_length=200)
    tax_code = models.CharField(_("tax classification code"), max_length=19, blank=True)
    spec = models.CharField(_("specification"), max_length=100, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=28, decimal_places=13, null=True, blank=True)
    unit_price = models.DecimalField(_("unit price"), max_digits=28, decimal_places=13, null=True, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    tax_rate = models.DecimalField(_("tax rate"), max_digits=5, decimal_places=4)
    zero_rate_flag = models.CharField(
        _("zero-rate flag"), max_length=12, choices=ZeroRateFlag.choices, default=ZeroRateFlag.NONE, blank=True,
    )
    tax_amount = models.DecimalField(_("tax"), **MONEY)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice_id", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "line_no"], name="invoice_line_no_unique"),
            models.CheckConstraint(condition=Q(tax_rate__gte=0) & Q(tax_rate__lt=1), name="invoice_line_rate_range"),
        ]

    def __str__(self):
        return f"{self.line_no}. {self.name}"

    @property
    def total(self):
        return self.amount + self.tax_amount


class InvoiceEventKind(models.TextChoices):
    ISSUED = "issued", _("issued")
    STATUS_CHANGED = "status_changed", _("status changed")
    SYNC_QUEUED = "sync_queued", _("sync queued")
    SYNC_SUCCEEDED = "sync_succeeded", _("sync succeeded")
    SYNC_FAILED = "sync_failed", _("sync failed")
    VERIFIED = "verified", _("verified on platform")
    RED_FLUSHED = "red_flushed", _("red-flushed")
    REISSUE = "reissue", _("reissue")
    REDELIVERED = "redelivered", _("re-delivered")
    RECONCILED = "reconciled", _("reconciled")
    NOTE = "note", _("note")
    FILE_DOWNLOADED = "file_downloaded", _("file downloaded")


class InvoiceEvent(AppendOnlyModel):
    """Append-only audit trail of an invoice: who did what, when, with what data."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="events", verbose_name=_("invoice"))
    kind = models.CharField(pgettext_lazy("invoice event", "kind"), max_length=20, choices=InvoiceEventKind.choices)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("actor"),
    )
    # Free text a person typed, and the whole text of rows written before message codes existed.
    message = models.TextField(_("message"), blank=True)
    # What happened, as a stable code and plain parameters: rendered in the reader's language (core/event_texts.py).
    message_code = models.CharField(_("message code"), max_length=60, blank=True, default="")
    params = models.JSONField(_("message parameters"), default=dict, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        verbose_name = _("invoice event")
        verbose_name_plural = _("invoice events")
        ordering = ["invoice_id", "at", "id"]
        indexes = [models.Index(fields=["invoice", "at", "id"], name="invoice_event_timeline_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} @ {self.at:%Y-%m-%d %H:%M}"

    @property
    def text(self):
        """What happened, in the reader's language."""
        return render(self)


class NumberSequence(models.Model):
    """Next 数电 sequence per seller and year; locked row by row so two issues never share a number."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    channel = models.CharField(max_length=1, default="2")
    last = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["seller", "year", "channel"], name="number_sequence_unique")]
