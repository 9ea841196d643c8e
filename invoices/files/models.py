import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FileFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    OFD = "ofd", "OFD"
    XML = "xml", "XML"


def invoice_file_path(instance, filename):
    # Sharded by the number's end so no directory grows past a few thousand files.
    number = instance.invoice.number
    return f"invoice-files/{number[-2:]}/{instance.invoice.code or 'n'}-{number}.{instance.format}"


class InvoiceFile(models.Model):
    """The file as the platform first served it; later requests get this copy, so a red-flushed invoice keeps
    its original file."""

    invoice = models.ForeignKey("invoices.Invoice", on_delete=models.PROTECT, related_name="files",
                                verbose_name=_("invoice"))
    format = models.CharField(pgettext_lazy("file", "format"), max_length=3, choices=FileFormat.choices)
    file = models.FileField(_("file"), upload_to=invoice_file_path, max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    fetched_at = models.DateTimeField(_("fetched at"), default=timezone.now)

    class Meta:
        verbose_name = _("invoice file")
        verbose_name_plural = _("invoice files")
        constraints = [models.UniqueConstraint(fields=["invoice", "format"], name="invoice_file_one_per_format")]

    def __str__(self):
        return self.filename

    @property
    def filename(self):
        return f"{self.invoice.number}.{self.format}"

    @staticmethod
    def digest(content):
        return hashlib.sha256(content).hexdigest()


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class InvoiceFileBatch(models.Model):
    """A ZIP of many invoices' PDFs, built by a task; its page shows the progress."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("requested by"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    invoice_ids = models.JSONField(_("invoices"), default=list)
    total = models.PositiveIntegerField(_("invoices in batch"), default=0)
    done = models.PositiveIntegerField(_("invoices done"), default=0)
    status = models.CharField(_("status"), max_length=8, choices=BatchStatus.choices, default=BatchStatus.QUEUED)
    # Storage names of the ZIP parts, each of up to PART_SIZE invoices (one task builds one part).
    parts = models.JSONField(_("ZIP parts"), default=list, blank=True)
    missing = models.JSONField(_("invoices without a file"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invoice file batch")
        verbose_name_plural = _("invoice file batches")

    def __str__(self):
        return f"{self.pk}: {self.done}/{self.total}"

    @property
    def percent(self):
        return int(self.done * 100 / self.total) if self.total else 100
