from core.event_texts import fact
from invoices.ledger.models import InvoiceEvent


def invoice_event_record(*, invoice, kind, actor=None, code="", params=None, message="", data=None, at=None):
    """One invoice event: what happened as `code` and `params` (invoices/*/event_texts.py), rendered in the
    reader's language; `message` only for free text a person typed. Nothing is cut."""
    kwargs = {"invoice": invoice, "kind": kind, "actor": actor, **event_text_fields(code, params, message),
              "data": data or {}}
    if at is not None:
        kwargs["at"] = at
    return InvoiceEvent.objects.create(**kwargs)


def event_text_fields(code, params, message=""):
    """message_code, params and message of an event row; the code and its parameters checked (core.event_texts)."""
    if code:
        checked = fact(code, **(params or {}))
        return {"message_code": code, "params": checked["params"], "message": str(message or "")}
    return {"message_code": "", "params": {}, "message": str(message or "")}
