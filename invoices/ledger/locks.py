"""The one place that takes row locks, always in primary-key order so two services never deadlock."""
from invoices.ledger.models import Invoice


def lock_invoices(ids):
    """Lock the given invoices (inside a transaction) and return them by id."""
    ids = sorted(set(ids))
    return {inv.pk: inv for inv in Invoice.objects.select_for_update().filter(pk__in=ids).order_by("pk")}


def lock_invoice(invoice_id):
    return Invoice.objects.select_for_update().get(pk=invoice_id)
