"""Jobs of background imports. The import job's row (status, attempts) persists the work, so the pass is row-less."""
from django.utils.translation import gettext_lazy as _

from core.jobs import job
from core.jobs.models import JobArea
from invoices.ledger.imports.services import import_job_run


@job("imports.run", label=_("check or import an uploaded file"), area=JobArea.INVOICES,
     guarantee="row-less: the import's own row counts attempts; a redelivered pass does nothing")
def run_import_job(*, job_id):
    import_job_run(job_id=job_id)
