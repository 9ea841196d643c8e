"""Batch ZIPs too big to build while the browser waits. A task works in steps that each end well inside the task
timeout (Q_CLUSTER["timeout"]), queueing the next step itself: first it fetches and stores the files (the slow part,
the platform renders them), counting progress on the batch row; then it writes the ZIP from the stored copies, one
part of up to PART_SIZE invoices per step. Every step can run again: stored files are reused, a part already
written is not written twice."""
import tempfile
import time

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.jobs import enqueue_on_commit
from invoices.files.models import BatchStatus, InvoiceFile, InvoiceFileBatch
from invoices.files.services.archive import zip_stream
from invoices.files.services.fetch import InvoiceFileError, invoice_file_get
from invoices.ledger.models import Invoice

MAX_INVOICES = 50_000
PART_SIZE = 500  # from stored copies ~4 s here, ~27 s with 2 cores loaded 4x over: inside the 60 s task timeout
FETCH_CHUNK = 25


def part_count(total):
    return max(1, -(-total // PART_SIZE))


def step_seconds():
    # Half the task timeout leaves room for the last file's platform call (its own read timeout) and the commit.
    return getattr(settings, "Q_CLUSTER", {}).get("timeout", 60) / 2


@transaction.atomic
def invoice_file_batch_create(*, actor, invoice_ids):
    if not actor.has_perm("invoices.view_invoice"):
        raise PermissionDenied(_("You may not read invoices."))
    ids = sorted({int(i) for i in invoice_ids})
    if not ids:
        raise ValidationError({"invoice_ids": [_("Select at least one invoice.")]})
    if len(ids) > MAX_INVOICES:
        raise ValidationError({"invoice_ids": [_("At most %(n)d invoices per ZIP.") % {"n": MAX_INVOICES}]})
    batch = InvoiceFileBatch.objects.create(created_by=actor, invoice_ids=ids, total=len(ids))
    _enqueue(batch.pk)
    return batch


def _enqueue(batch_id):
    enqueue_on_commit("files.build_batch", batch_id=batch_id)


def _invoices(ids):
    return Invoice.objects.filter(pk__in=ids).order_by("pk")


def _fetch_some(batch, deadline):
    """Fetch and store files from where the last step stopped until the deadline; returns True when all are."""
    ids = batch.invoice_ids
    done, missing = batch.done, list(batch.missing)
    platform_down = False
    while done < len(ids):
        for invoice in _invoices(ids[done:done + FETCH_CHUNK]):
            if platform_down and not InvoiceFile.objects.filter(invoice_id=invoice.pk, format="pdf").exists():
                missing.append(invoice.number)  # one timeout per step is enough: the next step asks again
                continue
            try:
                invoice_file_get(invoice=invoice, fmt="pdf")
            except InvoiceFileError as exc:
                platform_down = platform_down or exc.waiting
                missing.append(invoice.number)
        done = min(done + FETCH_CHUNK, len(ids))
        InvoiceFileBatch.objects.filter(pk=batch.pk).update(done=done, missing=missing)
        if time.monotonic() >= deadline:  # checked after a chunk, so every step makes progress
            break
    return done >= len(ids)


def _write_part(batch, index):
    ids = batch.invoice_ids[index * PART_SIZE:(index + 1) * PART_SIZE]
    name = f"invoice-file-batches/{batch.pk}/invoices-{batch.pk}-{index + 1}.zip"
    with tempfile.TemporaryFile() as spool:
        # Stored copies only: a file the fetch step could not get is listed in the part, not asked for again.
        for chunk in zip_stream(_invoices(ids).iterator(chunk_size=200), stored_only=True):
            spool.write(chunk)
        spool.seek(0)
        default_storage.delete(name)  # a step run again replaces its part instead of adding a renamed copy
        return default_storage.save(name, File(spool))


def invoice_file_batch_build(*, batch_id):
    """One step of the batch; queues the next one when there is more to do. Returns the batch."""
    with transaction.atomic():
        batch = InvoiceFileBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status in (BatchStatus.DONE, BatchStatus.FAILED):
            return batch
        if batch.status == BatchStatus.QUEUED:
            batch.status = BatchStatus.RUNNING
            batch.save(update_fields=["status"])
    try:
        if not _fetch_some(batch, time.monotonic() + step_seconds()):
            _enqueue(batch.pk)
            return InvoiceFileBatch.objects.get(pk=batch.pk)
        index = len(batch.parts)
        name = _write_part(batch, index)
        with transaction.atomic():
            batch = InvoiceFileBatch.objects.select_for_update().get(pk=batch.pk)
            if len(batch.parts) == index:  # a step run twice writes the same part once
                batch.parts = [*batch.parts, name]
            batch.done = batch.total
            if len(batch.parts) >= part_count(batch.total):
                batch.status, batch.finished_at = BatchStatus.DONE, timezone.now()
            else:
                _enqueue(batch.pk)
            batch.save(update_fields=["parts", "done", "status", "finished_at"])
    except Exception as exc:
        InvoiceFileBatch.objects.filter(pk=batch_id).update(status=BatchStatus.FAILED, error=str(exc),
                                                            finished_at=timezone.now())
        raise
    return batch
