"""Invoice-event texts of the platform gateway's work: uploads, verifications, re-syncs (core/event_texts.py)."""
from django.utils.translation import gettext_lazy as _

from core.event_texts import EventText, or_dash, register

register({
    "invoice.sync.requested": _("Re-sync requested"),
    "invoice.sync.requested_reason": _("Re-sync requested: %(r)s"),
    "invoice.sync.requeued": _("Re-queued: %(r)s"),
    "invoice.sync.bulk": _("Bulk re-sync of invoices issued since %(since)s"),
    "invoice.sync.on_platform": EventText(_("On the platform (platform id %(id)s)"), id=or_dash),
    "invoice.sync.unavailable": _("Platform unavailable after %(n)d attempts: %(e)s"),
    "invoice.sync.rejected": _("Rejected by the platform: %(code)s %(m)s"),
    "invoice.sync.credit_exceeded": _("Credit limit used up: the seller's monthly credit limit on the tax platform "
                                      "is exhausted. Ask the tax bureau to raise it, then re-sync. (%(m)s)"),
    "invoice.verify.synced": _("Verified: the platform holds it as recorded"),
    "invoice.verify.missing": _("Verified: the platform does not have it"),
    "invoice.verify.mismatch": _("Verified: the platform's copy differs"),
})
