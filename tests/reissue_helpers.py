from decimal import Decimal

from invoices.ledger.models import Direction, InvoiceKind, SyncStatus
from invoices.ledger.services.issue import invoice_issue
from invoices.reissue.services.reissue import invoice_reissue_approve

from . import factories
from .files_helpers import on_platform


def blue(seller, buyer, *amounts, kind=InvoiceKind.DIGITAL_SPECIAL, platform=True):
    lines = [factories.line(a, "0.13", quantity=Decimal(2), unit_price=Decimal(a) / 2) for a in amounts or ("1000.00",)]
    invoice = invoice_issue(actor=None, seller=seller, buyer=buyer, kind=kind, lines=lines, sync_status=SyncStatus.SYNCED)
    if platform:
        on_platform(invoice)  # synced: the platform holds it, so a red-letter form can be entered against it
    return invoice


corrected_lines = factories.corrected_lines
request_full = factories.reissue_request


def approve_and_complete(req, actor, capture):
    with capture(execute=True):
        invoice_reissue_approve(request=req, actor=actor)
    req.refresh_from_db()
    return req


def reds_of(invoice):
    return invoice.corrections.filter(direction=Direction.RED)
