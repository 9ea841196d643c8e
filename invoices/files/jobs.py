"""Jobs of invoice files."""
from django.utils.translation import gettext_lazy as _

from core.jobs import job
from core.jobs.models import JobArea
from invoices.files.services.batch import invoice_file_batch_build


@job("files.build_batch", label=_("build a ZIP of invoice files"), area=JobArea.INVOICES,
     guarantee="a job row; a rebuild resumes from the files already fetched")
def build_file_batch(*, batch_id):
    invoice_file_batch_build(batch_id=batch_id)
