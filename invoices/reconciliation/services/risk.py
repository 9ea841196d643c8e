"""发票风险等级 as the platform's export states it. The platform is the authority on an invoice's risk (the tax
bureau flags 异常凭证 and 疑点发票; the back office cannot), so a run takes the level of every matched invoice whose
row states one, while it compares the part, instead of proposing it for finance to apply like a sync status: there is
nothing to decide, and an invoice newly flagged must reach finance (an incident, invoices.signals.invoice_risk_flagged)
without waiting for someone to apply the run. A row that leaves the column empty says nothing and changes nothing.

An export older than the one that last set an invoice's level (run.exported_at) leaves it alone: uploading last
month's file again must not clear a flag this month's file set."""
from datetime import datetime

from django.db import transaction

from core.event_texts import fact, text_of
from core.history import change_reason
from invoices.ledger.models import Invoice, InvoiceEvent, InvoiceEventKind, RiskLevel
from invoices.ledger.services.events import invoice_event_record
from invoices.signals import invoice_risk_flagged

CODE = "invoice.reconciliation.risk"
FLAGGED = (RiskLevel.ABNORMAL, RiskLevel.SUSPICIOUS)
CHUNK = 500


def _later_export(ids, exported_at):
    """Of these invoices, those whose level an export newer than exported_at set."""
    later = set()
    events = InvoiceEvent.objects.filter(invoice_id__in=ids, message_code=CODE).values_list("invoice_id", "data")
    for invoice_id, data in events:
        stamp = (data or {}).get("exported_at")
        if stamp and datetime.fromisoformat(stamp) > exported_at:
            later.add(invoice_id)
    return later


@transaction.atomic
def invoices_risk_take(*, run, changes):
    """Set each invoice's risk_level to the export's: `changes` is [(invoice id, RiskLevel value)] of the run's
    seller. One event per invoice that changes (code invoice.reconciliation.risk, the run and export time in its
    data) and a history row; invoice_risk_flagged for one newly 异常凭证 or 疑点发票. Returns how many changed."""
    wanted = {invoice_id: level for invoice_id, level in changes if level in RiskLevel.values}
    ids = sorted(wanted)
    changed = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        later = _later_export(chunk, run.exported_at)
        invoices = (Invoice.objects.select_for_update().filter(pk__in=chunk, seller_id=run.seller_id)
                    .exclude(pk__in=later).order_by("pk"))
        for invoice in invoices:
            level, previous = wanted[invoice.pk], invoice.risk_level
            if level == previous:
                continue
            message = fact(CODE, run=run.pk, to=level, was=previous)
            invoice.risk_level = level
            invoice._change_reason = change_reason(text_of(message))
            invoice.save(update_fields=["risk_level"])
            invoice_event_record(invoice=invoice, kind=InvoiceEventKind.RECONCILED, code=CODE,
                                 params=message["params"],
                                 data={"run_id": run.pk, "risk_level": level, "previous": previous,
                                       "exported_at": run.exported_at.isoformat()})
            changed += 1
            if level in FLAGGED:
                invoice_risk_flagged.send(
                    sender=Invoice, invoice_id=invoice.pk, seller_id=invoice.seller_id, risk_level=level,
                    previous=previous, run_id=run.pk,
                    number=f"{invoice.code}-{invoice.number}" if invoice.code else invoice.number)
    return changed
