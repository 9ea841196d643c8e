from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("checking the file")
    CHECKED = "checked", _("checked, waiting for confirmation")
    REFUSED = "refused", _("has errors, nothing imported")
    IMPORTING = "importing", _("importing")
    IMPORTED = "imported", pgettext_lazy("import job", "imported")
    FAILED = "failed", _("failed, nothing imported")


FINISHED = {ImportStatus.CHECKED, ImportStatus.REFUSED, ImportStatus.IMPORTED, ImportStatus.FAILED}


class ImportJob(models.Model):
    """One uploaded file imported in the background: the dry run, then (confirmed by its uploader) the import.
    Counts and the first errors are kept once a pass ends; while one runs, its counts live in the progress cache
    (the pass holds one transaction, so nothing it writes is visible before it ends)."""

    model_label = models.CharField(_("imported into"), max_length=64)
    resource_path = models.CharField(max_length=200)
    file_name = models.CharField(_("file"), max_length=255)
    stored_name = models.CharField(max_length=255)
    file_format = models.CharField(_("format"), max_length=8)
    rows_estimated = models.PositiveIntegerField(_("rows in the file (estimated)"), default=0)
    status = models.CharField(_("status"), max_length=12, choices=ImportStatus.choices,
                              default=ImportStatus.CHECKING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("uploaded by"))
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    # When the running pass was claimed: a pass whose worker died is claimed again after the lease.
    started_at = models.DateTimeField(null=True, blank=True)
    # Claims of the running pass: a pass that outlives the task timeout again and again is failed, not retried forever.
    attempts = models.PositiveSmallIntegerField(default=0)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The last finished pass: {"read", "valid", "invalid", "new", "update", "skip"}, the first errors
    # [{"row" (the spreadsheet's row: the header is row 1), "key", "messages"}] and why rows were skipped {reason: count}.
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    skipped = models.JSONField(default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    # The worker writes the errors in the uploader's language.
    language = models.CharField(max_length=16, default=settings.LANGUAGE_CODE)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["created_by", "-created_at"], name="importjob_user_recent")]

    def __str__(self):
        return self.file_name

    @property
    def running(self):
        return self.status in (ImportStatus.CHECKING, ImportStatus.IMPORTING)
