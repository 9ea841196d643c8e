"""The ledger's invoice-event texts: code → template, rendered in the reader's language (core/event_texts.py)."""
from django.utils.translation import gettext_lazy as _

from core.event_texts import EventText, label, register
from invoices.ledger.models import InvoiceKind, InvoiceStatus

register({
    "invoice.issued": EventText(_("Issued %(kind)s %(number)s, total %(total)s"), kind=label(InvoiceKind)),
    "invoice.red_flushed": EventText(_("Red invoice %(red)s issued; status %(old)s → %(new)s"),
                                     old=label(InvoiceStatus), new=label(InvoiceStatus)),
    "invoice.voided": _("Voided: %(r)s"),
})
