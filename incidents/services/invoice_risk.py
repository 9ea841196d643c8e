"""An invoice the tax platform newly flags 异常凭证 or 疑点发票 (invoices.signals.invoice_risk_flagged): ONE open
invoice_risk incident per invoice, for finance, saying what the platform flagged and where finance answers it. A later
flag of the same invoice while the incident is open (疑点发票, then 异常凭证) goes on that incident's timeline; once it
is closed, a new flag opens a new one."""
from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from invoices.ledger.models import Invoice, RiskLevel

from ..models import EventKind, IncidentCategory, IncidentEvent, IncidentKind, Severity
from .incidents import open_incident_for_source
from .timeline import event_record

CODE = "incident.invoice_risk"
# 异常凭证: the buyer's input VAT on it is held back until the bureau clears it; 疑点发票 is under review.
SEVERITY = {RiskLevel.ABNORMAL: Severity.SEV2, RiskLevel.SUSPICIOUS: Severity.SEV3}


def source_key(invoice_id):
    return f"invoice_risk:{invoice_id}"


@transaction.atomic
def invoice_risk_flagged_record(*, invoice_id, risk_level, previous, run_id):
    """The invoice's open invoice_risk incident (a new one when there is none) with this flag on its timeline, once
    per run and invoice (the job may run twice). Returns the incident."""
    invoice = Invoice.objects.select_related("buyer", "seller").get(pk=invoice_id)
    level = RiskLevel(risk_level)
    with translation.override(settings.LANGUAGE_CODE):
        facts = {"n": f"{invoice.code}-{invoice.number}" if invoice.code else invoice.number,
                 "seller": invoice.seller.name, "buyer": invoice.buyer_name or invoice.buyer.name,
                 "level": str(level.label), "was": str(RiskLevel(previous).label), "run": run_id}
        incident, _created = open_incident_for_source(
            source_key=source_key(invoice.pk),
            title=_("Invoice %(n)s flagged by the tax platform: %(level)s") % facts,
            category=IncidentCategory.INVOICE_RISK, kind=IncidentKind.FAULT, severity=SEVERITY[level],
            customer=invoice.buyer, seller=invoice.seller, invoices=[invoice.pk],
            description=_(
                "The tax platform's invoice export gives invoice %(n)s (seller %(seller)s, buyer %(buyer)s) the risk "
                "level %(level)s (发票风险等级; it was %(was)s), read by reconciliation run #%(run)s.\n\n"
                "Finance checks why and answers the tax bureau on the electronic tax bureau: 电子税务局 → "
                "发票风险/异常凭证 处理. Until the bureau clears it, the buyer may be unable to deduct the input VAT "
                "on this invoice.") % facts,
        )
    if not IncidentEvent.objects.filter(incident=incident, message_code=CODE, data__run_id=run_id,
                                        data__invoice_id=invoice.pk).exists():
        event_record(incident=incident, kind=EventKind.SYNC, code=CODE,
                     params={"n": facts["n"], "level": level.value, "run": run_id},
                     data={"invoice_id": invoice.pk, "run_id": run_id, "risk_level": level.value,
                           "previous": previous})
    return incident
