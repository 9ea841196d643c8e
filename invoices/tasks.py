"""django-q2 task functions: ids in, a short result string out. Bodies live in the services."""
from .services.sync import (
    invoice_sync_run,
    invoices_requeue_after_outage,
    invoices_sync_sweep,
)


def sync_invoice(invoice_id):
    return invoice_sync_run(invoice_id)


def sync_sweep():
    return f"re-queued {invoices_sync_sweep()}"


def requeue_after_outage():
    return f"re-queued {invoices_requeue_after_outage()}"
