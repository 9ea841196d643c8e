"""Reads shared by the admin, the API and tasks."""
from django.db.models import Prefetch

from invoices.ledger.models import Invoice, InvoiceEvent


def invoice_list():
    # The list serializer shows the seller's name and only the buyer's id (a column of the invoice itself):
    # one join, not two, on every page of the ledger.
    return Invoice.objects.select_related("seller")


def invoice_detail_qs():
    return Invoice.objects.select_related("seller", "buyer", "original", "created_by").prefetch_related(
        "lines",
        Prefetch("events", queryset=InvoiceEvent.objects.select_related("actor").order_by("-at", "-id")),
        Prefetch("corrections", queryset=Invoice.objects.select_related("seller").order_by("issued_at", "id")),
    )
