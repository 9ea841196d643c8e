"""Batch ZIPs too big to build while the browser waits: a task writes the archive to storage, counting progress
on the batch row, which its page shows."""
import tempfile

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from invoices.files.models import BatchStatus, InvoiceFileBatch
from invoices.files.services.archive import zip_stream
from invoices.ledger.models import Invoice

MAX_INVOICES = 50_000
PROGRESS_EVERY = 25


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
    transaction.on_commit(lambda: async_task("invoices.files.tasks.build_file_batch", batch.pk,
                                             task_name=f"invoice-file-batch-{batch.pk}"))
    return batch


def _claim(batch_id):
    with transaction.atomic():
        batch = InvoiceFileBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status == BatchStatus.DONE:
            return None
        batch.status, batch.done, batch.error = BatchStatus.RUNNING, 0, ""
        batch.save(update_fields=["status", "done", "error"])
        return batch


def _invoices(ids):
    for start in range(0, len(ids), 500):
        yield from Invoice.objects.filter(pk__in=ids[start:start + 500]).order_by("pk")


def invoice_file_batch_build(*, batch_id):
    """Write the ZIP (safe to run again: a finished batch is left alone, an interrupted one starts over)."""
    batch = _claim(batch_id)
    if batch is None:
        return InvoiceFileBatch.objects.get(pk=batch_id)

    def progress(done, missing):
        if done % PROGRESS_EVERY == 0 or done == batch.total:
            InvoiceFileBatch.objects.filter(pk=batch.pk).update(done=done)

    try:
        missing_numbers = []

        def tracked(done, missing):
            missing_numbers[:] = [m.split("\t", 1)[0] for m in missing]
            progress(done, missing)

        with tempfile.TemporaryFile() as spool:
            for chunk in zip_stream(_invoices(batch.invoice_ids), on_progress=tracked):
                spool.write(chunk)
            spool.seek(0)
            with transaction.atomic():
                batch = InvoiceFileBatch.objects.select_for_update().get(pk=batch.pk)
                batch.archive.save(f"invoices-{batch.pk}.zip", File(spool), save=False)
                batch.status, batch.done, batch.missing, batch.finished_at = (
                    BatchStatus.DONE, batch.total, missing_numbers, timezone.now())
                batch.save()
    except Exception as exc:
        InvoiceFileBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.FAILED, error=str(exc)[:2000],
                                                            finished_at=timezone.now())
        raise
    return batch
