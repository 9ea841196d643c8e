"""django-q2 task functions: ids in, a short result string out. Bodies live in the services."""
from invoices.platform.services.sync import (
    invoice_sync_run,
    invoices_requeue_after_outage,
    invoices_sync_sweep,
)
from invoices.platform.services.sync_support import queue_sync_range as queue_sync_range_service
from invoices.platform.services.sync_support import queue_sync_tasks


def sync_invoice(invoice_id):
    return invoice_sync_run(invoice_id)


def queue_sync(invoice_ids):
    """The fan-out of releases before queue_sync_range (tasks still in a queue at the upgrade)."""
    return f"queued {queue_sync_tasks(invoice_ids)}"


def queue_sync_range(first, last):
    """One step of the fan-out after an import (see sync_support.queue_new_invoices)."""
    return f"queued {queue_sync_range_service(first, last)}"


def sync_sweep():
    return f"re-queued {invoices_sync_sweep()}"


def requeue_after_outage():
    return f"re-queued {invoices_requeue_after_outage()}"
