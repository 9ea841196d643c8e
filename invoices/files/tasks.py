"""Background work of invoice files: ids in, the service does the work. Safe to run again."""
from invoices.files.services.batch import invoice_file_batch_build


def build_file_batch(batch_id):
    invoice_file_batch_build(batch_id=batch_id)
