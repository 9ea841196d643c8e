"""Shared builders for the reconciliation tests: a small ledger and its platform export."""
import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from invoices.ledger.models import Direction, InvoiceKind, SyncStatus
from invoices.ledger.services.issue import invoice_issue
from invoices.platform.export_writer import build_file, invoice_row

from . import factories

PERIOD = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))


def at(day, hour=10):
    return timezone.make_aware(dt.datetime(2026, 10, day, hour, 0))


def ledger(seller, buyer, n=5, **kw):
    return [
        factories.invoice(seller_obj=seller, buyer=buyer, issued_at=at(1 + i), sync_status=SyncStatus.PENDING,
                          lines=[factories.line(f"{100 + i}.00")], **kw)
        for i in range(n)
    ]


def legacy(seller, buyer, number="12345678"):
    return invoice_issue(actor=None, seller=seller, buyer=buyer, kind=InvoiceKind.VAT_ELECTRONIC_GENERAL,
                         code="011002500111", number=number, issued_at=at(3), lines=[factories.line("50.00")],
                         sync_status=SyncStatus.PENDING)


def red_for(blue):
    line = blue.lines.get()
    return invoice_issue(actor=None, seller=blue.seller, buyer=blue.buyer, kind=blue.kind, direction=Direction.RED,
                         original=blue, issued_at=blue.issued_at + dt.timedelta(days=1),
                         lines=[{"name": line.name, "amount": -line.amount, "tax_rate": line.tax_rate,
                                 "tax_amount": -line.tax_amount}])


def upload(rows, fmt="csv-bom", name=None, **kwargs):
    ext = "xlsx" if fmt == "xlsx" else "csv"
    return SimpleUploadedFile(name or f"export.{ext}", build_file(rows, fmt, **kwargs))


def rows_for(invoices, **kw):
    return [invoice_row(inv, seq=i, **kw) for i, inv in enumerate(invoices, start=1)]


__all__ = ["PERIOD", "Decimal", "at", "ledger", "legacy", "red_for", "upload", "rows_for"]
