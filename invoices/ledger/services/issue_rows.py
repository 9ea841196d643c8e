"""The rows an issue writes, built the same way whether one invoice is saved (invoice_issue) or a thousand are
inserted in bulk (invoice_issue_batch): the invoice, its lines, its `issued` event, and the `red_flushed` event
of an original whose status a red invoice moved."""
from invoices.ledger.models import (
    Invoice,
    InvoiceEventKind,
    InvoiceLine,
)
from invoices.ledger.services.events import event_text_fields


def invoice_row(draft, *, actor):
    return Invoice(
        kind=draft.kind,
        direction=draft.direction,
        code=draft.code,
        number=draft.number,
        issued_at=draft.issued_at,
        seller=draft.seller,
        buyer=draft.buyer,
        buyer_name=draft.buyer_name,
        buyer_tax_id=draft.buyer_tax_id,
        amount=draft.amount,
        tax_amount=draft.tax,
        total=draft.total,
        sync_status=draft.sync_status,
        remarks=draft.remarks,
        drawer=draft.drawer,
        original=draft.original,
        created_by=actor,
    )


def line_values(draft):
    """Each line's columns (attname → value) but the invoice's."""
    return [
        {
            "line_no": n,
            "name": line.name,
            "tax_code": line.tax_code or "",
            "spec": line.spec or "",
            "unit": line.unit or "",
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "amount": line.amount,
            "tax_rate": line.tax_rate,
            "zero_rate_flag": line.zero_rate_flag,
            "tax_amount": line.tax_amount,
        }
        for n, line in enumerate(draft.lines, start=1)
    ]


def line_rows(invoice, draft):
    return [InvoiceLine(invoice=invoice, **values) for values in line_values(draft)]


def issued_event_fields(invoice, draft):
    """kind, code, params and data of the `issued` event (for invoice_event_record or an InvoiceEvent row)."""
    return {
        "kind": InvoiceEventKind.ISSUED,
        "code": "invoice.issued",
        "params": {"kind": invoice.kind, "number": str(invoice), "total": str(draft.total)},
        "data": {"total": str(draft.total), "lines": len(draft.lines), "warnings": draft.warnings},
    }


def red_flushed_event_fields(*, red, old, new):
    return {
        "kind": InvoiceEventKind.RED_FLUSHED,
        "code": "invoice.red_flushed",
        "params": {"red": str(red), "old": old, "new": new},
        "data": {"red_invoice_id": red.pk, "red_number": red.number, "from": old, "to": new},
    }


def event_values(*, invoice_id, actor_id, kind, code, params, data):
    """An event's columns exactly as invoice_event_record would write them (`at` left to its default)."""
    return {"invoice_id": invoice_id, "kind": kind, "actor_id": actor_id, **event_text_fields(code, params),
            "data": data or {}}
