"""Invoice-event texts of reissues, red-letter forms and re-deliveries (core/event_texts.py). The reasons a
reissue stops are facts too: `invoice.reissue.stopped` carries one as its `r`."""
from django.utils.translation import gettext_lazy as _

from core.event_texts import EventText, label, or_dash, register
from invoices.reissue.models import RedFlushReason, RedLetterFormStatus, ReissueStep

register({
    "invoice.reissue.requested": EventText(_("Reissue requested (%(r)s)"), r=label(RedFlushReason)),
    "invoice.reissue.approved": _("Reissue approved"),
    "invoice.reissue.rejected": _("Reissue rejected: %(r)s"),
    "invoice.reissue.cancelled": _("Reissue cancelled"),
    "invoice.reissue.retried": _("Reissue retried"),
    "invoice.reissue.red_issued": _("Red invoice %(n)s issued against form %(f)s"),
    "invoice.reissue.new_issued": _("Replacement invoice %(n)s issued"),
    "invoice.reissue.completed": EventText(_("Reissue completed: %(o)s → %(f)s → %(r)s → %(n)s"), n=or_dash),
    "invoice.reissue.stopped": EventText(_("Reissue stopped at step “%(step)s”: %(r)s"), step=label(ReissueStep)),
    "invoice.reissue.platform_unavailable": _("tax platform unavailable: %(e)s"),
    "invoice.reissue.platform_rejected": _("tax platform rejected: %(e)s"),
    "invoice.reissue.form_lapsed": _("The red-letter form lapsed; retry fills a new one."),
    "invoice.redletter.filled": EventText(_("Red-letter form %(n)s filled (%(s)s)"), s=label(RedLetterFormStatus)),
    "invoice.redletter.confirmed": _("Buyer confirmed red-letter form %(n)s"),
    "invoice.redletter.lapsed": _("Red-letter form %(n)s lapsed: not confirmed within 72 hours"),
    "invoice.redelivered": _("Invoice re-delivered to %(e)s"),
})
