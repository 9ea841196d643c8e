"""The invoice viewset, assembled: the ledger's, with the platform's actions mixed in (the ledger below the
platform may not import them). The other viewsets are served from their subdomains as they are."""
from invoices.files.api import InvoiceFileActionsMixin
from invoices.ledger.api import InvoiceLedgerViewSet
from invoices.platform.api import InvoiceSyncActionsMixin


class InvoiceViewSet(InvoiceFileActionsMixin, InvoiceSyncActionsMixin, InvoiceLedgerViewSet):
    pass
