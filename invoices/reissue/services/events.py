"""What every step of a reissue writes: its event on the original invoice, and the request stopped with a reason.
Shared by the workflow (reissue.py) and the red-letter forms (redletter.py)."""
from django.utils.translation import gettext as _

from invoices.ledger.models import InvoiceEventKind
from invoices.ledger.services.events import invoice_event_record
from invoices.reissue.models import ReissueStatus


def reissue_event(request, message, actor, **data):
    invoice_event_record(
        invoice=request.original, kind=InvoiceEventKind.REISSUE, actor=actor, message=message,
        data={"request_id": request.pk, "status": request.status, "step": request.step, **data},
    )


def mark_failed(req, *, actor, reason):
    req.status = ReissueStatus.FAILED
    req.failure = str(reason)[:2000]
    req.save(update_fields=["status", "failure"])
    message = _("Reissue stopped at step “%(step)s”: %(r)s") % {"step": req.get_step_display(), "r": reason}
    reissue_event(req, message, actor)
