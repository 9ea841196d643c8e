"""Invoice-event texts of invoice files (core/event_texts.py)."""
from django.utils.translation import gettext_lazy as _

from core.event_texts import EventText, labels, register

# Where a file was downloaded, as the invoice's events name it.
VIA = {"staff": _("invoice page"), "api": _("API"), "link": _("customer's download link"), "batch": _("batch ZIP")}

register({
    "invoice.file.downloaded": EventText(_("%(fmt)s downloaded (%(via)s)"), via=labels(VIA)),
})
