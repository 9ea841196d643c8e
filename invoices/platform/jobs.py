"""Jobs of the platform sync. An upload's own state (the invoice `pending`, its SyncState claim and next attempt,
the sync sweep) is what persists it, so uploads and the import's fan-out are row-less (core.jobs.dispatch)."""
from django.utils.translation import gettext_lazy as _

from core.jobs import job
from core.jobs.models import JobArea
from invoices.platform.services.credit import credit_check as credit_check_service
from invoices.platform.services.sync import (
    invoice_sync_run,
    invoices_requeue_after_outage,
    invoices_sync_sweep,
)
from invoices.platform.services.sync_support import queue_sync_range as queue_sync_range_service


@job("platform.sync_invoice", label=_("upload an invoice to the tax platform"), area=JobArea.INVOICES,
     guarantee="row-less: the invoice stays pending with a claim; the sync sweep re-queues a lost upload")
def sync_invoice(*, invoice_id):
    return invoice_sync_run(invoice_id)


@job("platform.queue_sync_range", label=_("queue the uploads of an import"), area=JobArea.INVOICES,
     guarantee="row-less: a lost step's invoices stay pending and the sync sweep re-queues them")
def queue_sync_range(*, first, last):
    return f"queued {queue_sync_range_service(first, last)}"


@job("platform.sync_sweep", label=_("re-queue due uploads"), area=JobArea.INVOICES,
     guarantee="scheduled every minute")
def sync_sweep():
    return f"re-queued {invoices_sync_sweep()}"


@job("platform.requeue_after_outage", label=_("re-queue uploads after an outage"), area=JobArea.INVOICES,
     guarantee="at least once after the platform recovers; re-queuing twice queues nothing twice")
def requeue_after_outage():
    return f"re-queued {invoices_requeue_after_outage()}"


@job("platform.credit_check", label=_("check the sellers' credit limits on the tax platform"), area=JobArea.INVOICES,
     guarantee="scheduled hourly; finance is warned once per low spell; an unavailable platform fails the attempt "
               "and the spine retries it")
def credit_check():
    counts = credit_check_service()
    return ", ".join(f"{key} {value}" for key, value in counts.items())
