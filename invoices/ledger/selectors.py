"""Reads shared by the admin, the API and tasks."""
import re

from django.db.models import Prefetch, Q

from invoices.ledger.identifiers import normalize_text
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


# A legacy invoice as the list shows it: its 10- or 12-digit code, a dash, its 8-digit number.
CODE_NUMBER = re.compile(r"(\d{10}|\d{12})-(\d{1,8})")


def invoice_search(queryset, text):
    """What the invoice search box finds: a number or code (exact or prefix), a legacy code-number as the list
    shows it, a buyer tax id, or part of a buyer name. Index-friendly lookups only: equality and prefix on numbers, equality on tax ids."""
    term = normalize_text(text)
    if not term:
        return queryset
    legacy = CODE_NUMBER.fullmatch(term)
    if legacy:
        # Pasted from the list (`1100222130-10000324`): that code with that number (or its start).
        return queryset.filter(code=legacy[1], number__startswith=legacy[2])
    condition = Q(number__startswith=term) | Q(code__startswith=term)
    if term.isdigit() and len(term) in (18, 20):
        # The same without the dash (`1100222130 10000324` loses its space): code and number run together.
        condition |= Q(code=term[:-8], number=term[-8:])
    if term.isalnum() and len(term) in (15, 17, 18, 20):
        condition |= Q(buyer_tax_id=term)
    if not term.isdigit():
        condition |= Q(buyer_name__icontains=text.strip())
    return queryset.filter(condition)
