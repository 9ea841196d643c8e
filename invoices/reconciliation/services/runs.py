"""Starting a reconciliation run. The upload only checks the header and queues the work."""
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.jobs import dispatch_on_commit
from core.upload_limits import check_upload
from invoices.reconciliation.models import ReconciliationRun
from invoices.reconciliation.pipeline.reader import check_header
from invoices.reconciliation.pipeline.snapshot import period_bounds

EXPORT_CLOCK_SLACK = timedelta(minutes=5)  # the platform's clock and ours may differ a little


@transaction.atomic
def reconciliation_start(*, actor, seller, period_start, period_end, file, exported_at=None):
    """exported_at: when the platform produced the file (导出时间), default now; it bounds what the run may
    change (services/apply.py)."""
    errors = {}
    now = timezone.now()
    exported_at = exported_at or now
    if timezone.is_naive(exported_at):
        exported_at = timezone.make_aware(exported_at)
    if exported_at > now + EXPORT_CLOCK_SLACK:
        errors["exported_at"] = [_("The export time cannot be in the future.")]
    elif period_start and exported_at < period_bounds(period_start, period_start)[0]:
        errors["exported_at"] = [_("The export time is before the period starts; an export lists what was issued "
                                   "before it was made.")]
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
        file_name=getattr(file, "name", "")[:255], file_format=fmt, exported_at=exported_at,
    )
    run.file.save(getattr(file, "name", "export") or "export", file, save=False)
    run.save()
    # The cluster's own timeout applies: the run proceeds in bounded chunks, each one task (see runner.py).
    dispatch_on_commit("reconciliation.run", run_id=run.pk, task_name=f"reconcile-run-{run.pk}")
    return run
