"""What every step of a reissue writes: its event on the original invoice, and the request stopped with a reason.
Shared by the workflow (reissue.py) and the red-letter forms (redletter.py)."""
from core.event_texts import text_of
from invoices.ledger.models import InvoiceEventKind
from invoices.ledger.services.events import invoice_event_record
from invoices.reissue.models import ReissueStatus


def reissue_event(request, code, actor, params=None, **data):
    """The reissue's event on the original invoice: `code` and `params` of invoices/reissue/event_texts.py."""
    invoice_event_record(
        invoice=request.original, kind=InvoiceEventKind.REISSUE, actor=actor, code=code, params=params,
        data={"request_id": request.pk, "status": request.status, "step": request.step, **data},
    )


def mark_failed(req, *, actor, reason):
    """`reason` is a fact (core.event_texts.fact) or plain text (a platform's or a validation's words); the
    request keeps the whole text, the event the reason itself, shown in the reader's language."""
    req.status = ReissueStatus.FAILED
    req.failure = text_of(reason)
    req.save(update_fields=["status", "failure"])
    reissue_event(req, "invoice.reissue.stopped", actor, {"step": req.step, "r": reason})
