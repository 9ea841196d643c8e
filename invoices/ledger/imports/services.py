"""Background imports: create (store the file, queue the dry run), confirm (queue the import), run a pass. A pass is
the resource's own import_data over the file's chunks, all-or-nothing as in the admin's inline import; the job row is
written only before and after it, outside its transaction."""
import time
import uuid
from collections import Counter
from contextlib import closing
from datetime import timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from import_export.formats.base_formats import CSV, XLSX
from import_export.results import RowResult

from core.jobs import dispatch_on_commit
from invoices.ledger.imports.chunks import dataset_chunks
from invoices.ledger.imports.models import ImportJob, ImportStatus
from invoices.ledger.imports.progress import Progress, row_messages, tracked

FORMATS = {"csv": CSV, "xlsx": XLSX}


def lease():
    # A pass whose worker died is handed out again by the broker after Q_CLUSTER["retry"]; by then it may be claimed.
    return timedelta(seconds=getattr(settings, "LEASE_SECONDS_DEFAULT", 75))


@transaction.atomic
def import_job_create(*, actor, model_label, resource_path, permission, upload, file_format, rows_estimated,
                      language=None):
    """Store the upload and queue its dry run; errors will be written in `language` (the uploader's)."""
    if not actor.has_perm(permission):
        raise PermissionDenied(_("You may not import these records."))
    if file_format not in FORMATS:
        raise ValidationError({"format": [_("Import CSV or XLSX files.")]})
    upload.seek(0)
    suffix = PurePath(upload.name).suffix.lower()[:10]
    stored = default_storage.save(f"imports/{uuid.uuid4().hex}{suffix}", ContentFile(upload.read()))
    job = ImportJob.objects.create(model_label=model_label, resource_path=resource_path, file_name=upload.name[:255],
                                   stored_name=stored, file_format=file_format, rows_estimated=rows_estimated,
                                   created_by=actor, language=language or translation.get_language()
                                   or settings.LANGUAGE_CODE)
    _enqueue(job.pk)
    return job


@transaction.atomic
def import_job_confirm(*, job, actor):
    """The uploader imports a file whose dry run found no errors."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.created_by_id != actor.pk:
        raise PermissionDenied(_("Only the person who uploaded the file may import it."))
    if job.status != ImportStatus.CHECKED:
        raise ValidationError({"status": [_("This file is not waiting for confirmation (it is %(status)s).")
                                          % {"status": job.get_status_display()}]})
    job.status = ImportStatus.IMPORTING
    job.confirmed_at = timezone.now()
    job.started_at = None
    job.attempts = 0
    job.save(update_fields=["status", "confirmed_at", "started_at", "attempts"])
    _enqueue(job.pk)
    return job


def _enqueue(job_id):
    dispatch_on_commit("imports.run", job_id=job_id, task_name=f"import-job-{job_id}-{time.monotonic_ns()}")


MAX_ATTEMPTS = 2


def _claim(job_id):
    """The running pass, or None when another worker holds it (or it has ended): a redelivered task is a no-op. A
    pass claimed MAX_ATTEMPTS times whose worker never finished (killed at the task timeout) fails."""
    now = timezone.now()
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or not job.running or (job.started_at and job.started_at > now - lease()):
            return None
        if job.attempts >= MAX_ATTEMPTS:
            job.status, job.finished_at, job.started_at = ImportStatus.FAILED, now, None
            job.error = _("The file took longer than the worker allows and was stopped. Split it into smaller "
                          "files and import them one by one.")
            job.save(update_fields=["status", "finished_at", "started_at", "error"])
            return None
        job.started_at = now
        job.attempts += 1
        job.save(update_fields=["started_at", "attempts"])
    return job


def import_job_run(*, job_id):
    """Run the job's pending pass (the dry run, or the confirmed import) and record its outcome."""
    language = ImportJob.objects.filter(pk=job_id).values_list("language", flat=True).first()
    with translation.override(language or settings.LANGUAGE_CODE):
        job = _claim(job_id)
        return None if job is None else _run(job)


def _run(job):
    """The pass over the file chunk by chunk (IMPORT_CHUNK_ROWS rows each, so memory is bounded by a chunk), in one
    transaction: each chunk is written with dry_run=False so the next one sees it, as one import_data over the whole
    file would, and the transaction is rolled back at the end of a dry run or of a pass with any error."""
    dry_run = job.status == ImportStatus.CHECKING
    resource_class = import_string(job.resource_path)
    describe = _describer(resource_class())
    progress = Progress(job.pk, describe=describe)
    outcome = _Outcome()
    try:
        resource = tracked(resource_class, progress)()
        with default_storage.open(job.stored_name, "rb") as stored, transaction.atomic(), closing(
                dataset_chunks(stored, job.file_format, size=chunk_rows(),
                               key=getattr(resource, "import_chunk_key", None))) as chunks:
            for before, dataset in chunks:
                progress.offset = before
                outcome.add(resource, resource.import_data(
                    dataset, dry_run=False, raise_errors=False, use_transactions=True,
                    rollback_on_validation_errors=True, user=job.created_by, file_name=job.file_name))
            if dry_run or outcome.failed:
                transaction.set_rollback(True)
    except Exception as exc:  # noqa: BLE001 - a file that cannot be read at all is the job's error, not a crash
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else exc
        return _finish(job, ImportStatus.FAILED, progress, error=_("The file could not be read: %(error)s")
                       % {"error": message})
    finally:
        progress.clear()
    if dry_run:
        status = ImportStatus.REFUSED if outcome.failed else ImportStatus.CHECKED
    else:
        status = ImportStatus.FAILED if outcome.failed else ImportStatus.IMPORTED
    return _finish(job, status, progress, outcome=outcome, error="\n".join(outcome.base_errors))


def chunk_rows():
    return getattr(settings, "IMPORT_CHUNK_ROWS", 1000)


class _Outcome:
    """What the finished page shows, summed over the chunks (whose row results are then let go)."""

    def __init__(self):
        self.totals, self.skipped, self.base_errors, self.failed = Counter(), Counter(), [], False

    def add(self, resource, result):
        self.failed = self.failed or result.has_errors() or result.has_validation_errors()
        self.base_errors += [str(e.error) for e in result.base_errors]
        self.totals.update({k: result.totals.get(k, 0) for k in ("new", "update", "skip")})
        self.skipped.update(_skip_reasons(resource, result))


def _finish(job, status, progress, *, outcome=None, error=""):
    now = timezone.now()
    job.status = status
    job.error = error
    job.errors = progress.errors
    counts = dict(progress.counts)
    if outcome is not None:
        counts.update({k: outcome.totals.get(k, 0) for k in ("new", "update", "skip")})
        job.skipped = dict(outcome.skipped.most_common())
    job.counts = counts
    job.started_at = None
    if status in (ImportStatus.CHECKED, ImportStatus.REFUSED):
        job.checked_at = now
    job.finished_at = now
    job.save(update_fields=["status", "error", "errors", "counts", "skipped", "started_at", "checked_at",
                            "finished_at"])
    return job


def _skip_reasons(resource, result):
    reasons = Counter()
    for row in result.rows:
        if row.import_type == RowResult.IMPORT_TYPE_SKIP:
            reasons[resource.skip_reason(row)] += 1
    return reasons


def _describer(resource):
    key_column = getattr(resource, "import_key_column", None)

    def describe(row, result):
        return str(row.get(key_column) or "") if key_column else "", row_messages(resource, result)

    return describe
