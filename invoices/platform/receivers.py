"""The platform's answers to the ledger's facts: an issued invoice is queued for upload. Connected by the app's
ready(); each receiver hands over to one sync service."""
from django.dispatch import receiver

from invoices.platform.services.sync_support import queue_new_invoices, queue_uploads
from invoices.signals import invoices_awaiting_upload


@receiver(invoices_awaiting_upload, dispatch_uid="invoices.platform.queue_uploads")
def on_invoices_awaiting_upload(sender, invoice_ids, batch=False, **kwargs):
    if batch:
        queue_new_invoices(invoice_ids)
    else:
        queue_uploads(invoice_ids)
