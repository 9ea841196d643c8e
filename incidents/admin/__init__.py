"""Incident desk admin, one module per screen group."""
from . import (  # noqa: F401
    communications,
    config,
    followups,
    incidents,
    invoice_panel,  # noqa: F401,E402  incidents on the invoice page (re-registers InvoiceAdmin)
    reports,
    staff_emails,
)
