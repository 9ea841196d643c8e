"""Invoices as finance meets them, built through the ledger and the reissue workflow on the simulated platform:
a red invoice of a 数电 original, a red invoice of a legacy paper 专票 (发票代码 + 8-digit number), and a partial
red-flush of an allowance (a discount on part of an invoice)."""
from decimal import Decimal

from invoices.ledger.models import InvoiceKind, SyncStatus
from invoices.ledger.services.issue import invoice_issue
from invoices.platform.gateway import get_gateway

from ... import factories
from ...files_helpers import on_platform
from ...reissue_helpers import approve_and_complete

SOFTWARE = "3040201010000000000"  # 信息技术服务 / 软件开发服务
HARDWARE = "1090511000000000000"  # 计算机配套产品


def software_line(amount="100000.00", rate="0.06", **extra):
    amount = Decimal(amount)
    return {"name": "软件开发服务", "tax_code": SOFTWARE, "quantity": Decimal(1), "unit_price": amount,
            "amount": amount, "tax_rate": Decimal(rate), **extra}


def issued(seller, buyer, lines, *, kind=InvoiceKind.DIGITAL_SPECIAL, drawer="王芳", **extra):
    invoice = invoice_issue(actor=None, seller=seller, buyer=buyer, kind=kind, lines=lines, drawer=drawer,
                            sync_status=SyncStatus.SYNCED, **extra)
    on_platform(invoice)
    return invoice


def reissued(original, requester, approver, capture, **request):
    """Red-flush `original` through the reissue workflow (full and reissued unless told otherwise)."""
    req = factories.reissue_request(original, requester, **request)
    return approve_and_complete(req, approver, capture)


def files(invoice, *formats):
    gateway = get_gateway()
    return [gateway.download(invoice, fmt).content for fmt in formats]
