from decimal import Decimal

from invoices.ledger.models import Direction, InvoiceKind, SyncStatus
from invoices.ledger.services.issue import invoice_issue
from invoices.reissue.services.reissue import invoice_reissue_approve

from . import factories


def blue(seller, buyer, *amounts, kind=InvoiceKind.DIGITAL_SPECIAL):
    lines = [factories.line(a, "0.13", quantity=Decimal(2), unit_price=Decimal(a) / 2) for a in amounts or ("1000.00",)]
    return invoice_issue(actor=None, seller=seller, buyer=buyer, kind=kind, lines=lines, sync_status=SyncStatus.SYNCED)


corrected_lines = factories.corrected_lines
request_full = factories.reissue_request


def approve_and_complete(req, actor, capture):
    with capture(execute=True):
        invoice_reissue_approve(request=req, actor=actor)
    req.refresh_from_db()
    return req


def reds_of(invoice):
    return invoice.corrections.filter(direction=Direction.RED)
