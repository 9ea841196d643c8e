from invoices.ledger.models import InvoiceEvent


def invoice_event_record(*, invoice, kind, actor=None, message="", data=None, at=None):
    kwargs = {"invoice": invoice, "kind": kind, "actor": actor, "message": str(message)[:500], "data": data or {}}
    if at is not None:
        kwargs["at"] = at
    return InvoiceEvent.objects.create(**kwargs)
