"""Every domain write on the ledger. Admin, API, tasks, commands and imports call these."""
from .customers import customer_create, customer_update
from .events import invoice_event_record
from .issue import InvoiceLineInput, invoice_issue, invoice_void
from .issue_batch import IssueResult, invoice_issue_batch
from .sync import (
    VerifyOutcome,
    invoice_sync_request,
    invoice_sync_run,
    invoice_verify,
    invoices_requeue_after_outage,
    invoices_resync_bulk,
    invoices_sync_sweep,
)

__all__ = [
    "InvoiceLineInput",
    "customer_create",
    "customer_update",
    "invoice_event_record",
    "invoice_issue",
    "invoice_issue_batch",
    "IssueResult",
    "invoice_void",
    "VerifyOutcome",
    "invoice_sync_request",
    "invoice_sync_run",
    "invoice_verify",
    "invoices_requeue_after_outage",
    "invoices_resync_bulk",
    "invoices_sync_sweep",
]
