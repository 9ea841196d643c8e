"""django-q2 task functions: ids in, a short result string out. Bodies live in the services."""
from invoices.platform.services.sync import (
    invoice_sync_run,
    invoices_requeue_after_outage,
    invoices_sync_sweep,
)
from invoices.platform.services.sync_support import queue_sync_tasks


def sync_invoice(invoice_id):
    return invoice_sync_run(invoice_id)


def queue_sync(invoice_ids):
    """Fan-out after an import: queue the upload of each invoice of the batch that is still pending."""
    return f"queued {queue_sync_tasks(invoice_ids)}"


def sync_sweep():
    return f"re-queued {invoices_sync_sweep()}"


def requeue_after_outage():
    return f"re-queued {invoices_requeue_after_outage()}"
