"""The admin of the invoices app. Each subdomain registers its own screens; the invoice page is assembled here
from the ledger's part and the parts the platform and the reissue desk add to it, since the ledger below them
may not import them."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

import invoices.reconciliation.admin  # noqa: F401  registers the reconciliation screens
import invoices.reconciliation.admin_checks  # noqa: F401  registers the platform checks
import invoices.reissue.form_admin  # noqa: F401  registers the red-letter forms and the buyer's queue
from invoices.files.admin import InvoiceFilesAdminMixin
from invoices.ledger.admin import (
    InvoiceEventTable,
    InvoiceLedgerAdmin,
    InvoiceLineTable,
)
from invoices.ledger.models import Invoice
from invoices.next_step import invoice_next_steps
from invoices.platform.admin import InvoiceSyncAdminMixin, SyncAttemptTable
from invoices.reissue.admin import InvoiceReissueAdminMixin, ReissueRequestTable


@admin.register(Invoice)
class InvoiceAdmin(InvoiceFilesAdminMixin, InvoiceReissueAdminMixin, InvoiceSyncAdminMixin, InvoiceLedgerAdmin):
    readonly_tables = [InvoiceLineTable, ReissueRequestTable, SyncAttemptTable, InvoiceEventTable]
    actions = ["resync_selected", "verify_selected", "bulk_resync_from_selection", "download_pdfs_zip"]
    fieldsets = [
        *InvoiceLedgerAdmin.fieldsets[:3],
        (_("chain"), {"fields": ["chain"]}),
        *InvoiceLedgerAdmin.fieldsets[3:],
    ]
    readonly_fields = ["chain", *InvoiceLedgerAdmin.readonly_fields]

    def next_steps(self, request, obj):
        """What the page suggests doing now; the incidents app adds its step (incidents/admin/invoice_panel.py)."""
        return invoice_next_steps(obj, request.user)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            steps = self.next_steps(request, obj)
            # The bar above the panel leaves out what the panel offers: each action once on the page.
            context["next_steps"], context["next_step_keys"] = steps, {step.key for step in steps if step.key}
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)
