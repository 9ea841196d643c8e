"""Invoice-event texts of reconciliation runs (core/event_texts.py)."""
from django.utils.translation import gettext_lazy as _

from core.event_texts import EventText, label, register
from invoices.ledger.models import RiskLevel, SyncStatus
from invoices.reconciliation.models import DiscrepancyKind, Resolution

register({
    "invoice.reconciliation.resolved": EventText(
        _("Discrepancy %(kind)s of run #%(run)s resolved: %(res)s. %(note)s"),
        kind=label(DiscrepancyKind), res=label(Resolution)),
    "invoice.reconciliation.applied": EventText(_("Reconciliation run #%(run)s applied: %(status)s."),
                                                status=label(SyncStatus)),
    "invoice.reconciliation.reverted": EventText(_("Reconciliation run #%(run)s reverted: back to %(status)s."),
                                                 status=label(SyncStatus)),
    "invoice.reconciliation.run": _("Reconciliation run #%(run)s"),
    "invoice.reconciliation.risk": EventText(
        _("Risk level set to %(to)s (was %(was)s) as the platform's export says (reconciliation run #%(run)s)."),
        to=label(RiskLevel), was=label(RiskLevel)),
    "invoice.platform_check.missing": _(
        "The platform's listing of %(f)s to %(t)s does not have this invoice: marked missing and uploaded again."),
    "invoice.platform_check.mismatch": _(
        "The platform's listing of %(f)s to %(t)s holds this invoice otherwise (%(d)s): marked mismatch, left as "
        "it is for finance."),
})
