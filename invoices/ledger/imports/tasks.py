"""Background imports: the job id in, the service does the work. Safe to run again."""
from invoices.ledger.imports.services import import_job_run


def run_import_job(job_id):
    import_job_run(job_id=job_id)
