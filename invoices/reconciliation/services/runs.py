"""Starting a reconciliation run. The upload only checks the header and queues the work."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.upload_limits import check_upload
from invoices.reconciliation.models import ReconciliationRun
from invoices.reconciliation.pipeline.reader import check_header

TASK = "invoices.reconciliation.tasks.reconcile_run"


@transaction.atomic
def reconciliation_start(*, actor, seller, period_start, period_end, file):
    errors = {}
    if seller is None:
        errors["seller"] = [_("Choose the seller whose export this is.")]
    if not period_start:
        errors["period_start"] = [_("This field is required.")]
    if not period_end:
        errors["period_end"] = [_("This field is required.")]
    if period_start and period_end and period_end < period_start:
        errors["period_end"] = [_("The period ends before it starts.")]
    if file is None:
        errors["file"] = [_("Upload the platform's export file (XLSX or CSV).")]
    else:
        try:
            check_upload(file)  # limits before any parsing: a bomb never reaches openpyxl or the csv module
            fmt = check_header(file)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    run = ReconciliationRun(
        seller=seller, period_start=period_start, period_end=period_end, created_by=actor,
        file_name=getattr(file, "name", "")[:255], file_format=fmt,
    )
    run.file.save(getattr(file, "name", "export") or "export", file, save=False)
    run.save()
    transaction.on_commit(lambda: queue_run(run.pk))
    return run


def queue_run(run_id):
    from django_q.tasks import async_task

    # The cluster's own timeout applies: the run proceeds in bounded chunks, each one task (see runner.py).
    async_task(TASK, run_id, task_name=f"reconcile-run-{run_id}")
