"""Invoice-event texts of reissues, red-letter forms and re-deliveries (core/event_texts.py). The reasons a
reissue stops are facts too: `invoice.reissue.stopped` carries one as its `r`."""
from django.utils.translation import gettext_lazy as _

from core.event_texts import EventText, label, or_dash, register
from invoices.reissue.models import FormProposal, RedFlushReason, RedLetterFormStatus, ReissueStep

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
    "invoice.reissue.credit_exceeded": _("the seller's credit limit (授信额度) on the tax platform is used up; ask the "
                                         "tax bureau to raise it, then retry (%(e)s)"),
    "invoice.reissue.form_void": EventText(_("red-letter form %(f)s is %(s)s"), s=label(RedLetterFormStatus)),
    "invoice.reissue.lapsed": _("Red-letter form %(f)s lapsed: the buyer did not confirm it within 72 hours; "
                                "resubmit to enter a new one."),
    "invoice.reissue.withdrawn": _("Red-letter form %(f)s withdrawn on the platform; reissue cancelled"),
    "invoice.redletter.filled": EventText(_("Red-letter form %(n)s entered on the platform: %(s)s"),
                                          s=label(RedLetterFormStatus)),
    "invoice.redletter.status": EventText(_("Red-letter form %(n)s is now %(s)s"), s=label(RedLetterFormStatus)),
    # Codes of events written before the platform kept the forms; kept so old timelines still read.
    "invoice.reissue.form_lapsed": _("The red-letter form lapsed; retry fills a new one."),
    "invoice.redletter.confirmed": _("Buyer confirmed red-letter form %(n)s"),
    "invoice.redletter.lapsed": _("Red-letter form %(n)s lapsed: not confirmed within 72 hours"),
    "invoice.redletter.reminded": _("Buyer reminded to confirm red-letter form %(n)s"),
    "invoice.redletter.buyer_entered": _("The buyer entered red-letter form %(n)s; it waits for our answer"),
    "invoice.redletter.proposed": EventText(_("Answer to red-letter form %(n)s proposed: %(p)s"), p=label(FormProposal)),
    "invoice.redletter.agreed": EventText(_("Answer to red-letter form %(n)s agreed: %(p)s"), p=label(FormProposal)),
    "invoice.redletter.sent_back": _("Proposed answer to red-letter form %(n)s sent back"),
    "invoice.redelivered": _("Invoice re-delivered to %(e)s"),
})
