"""The admin of the invoices app. Each subdomain registers its own screens; the invoice page is assembled here
from the ledger's part and the parts the platform and the reissue desk add to it, since the ledger below them
may not import them."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

import invoices.reconciliation.admin  # noqa: F401  registers the reconciliation screens
from invoices.files.admin import InvoiceFilesAdminMixin
from invoices.ledger.admin import (
    InvoiceEventTable,
    InvoiceLedgerAdmin,
    InvoiceLineTable,
)
from invoices.ledger.models import Invoice
from invoices.platform.admin import InvoiceSyncAdminMixin, SyncAttemptTable
from invoices.reissue.admin import InvoiceReissueAdminMixin


@admin.register(Invoice)
class InvoiceAdmin(InvoiceFilesAdminMixin, InvoiceReissueAdminMixin, InvoiceSyncAdminMixin, InvoiceLedgerAdmin):
    readonly_tables = [InvoiceLineTable, SyncAttemptTable, InvoiceEventTable]
    actions = ["resync_selected", "verify_selected", "bulk_resync_from_selection", "download_pdfs_zip"]
    fieldsets = [
        *InvoiceLedgerAdmin.fieldsets[:3],
        (_("chain"), {"fields": ["chain"]}),
        *InvoiceLedgerAdmin.fieldsets[3:],
    ]
    readonly_fields = ["chain", "created_at"]
