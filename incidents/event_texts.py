"""Timeline texts of incidents: code → template, rendered in the reader's language (core/event_texts.py).
Notes and the customer's own messages are free text and stay in the event's message."""
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from core.event_texts import EventText, label, labels, or_dash, register, translated, yes_no
from incidents.models import Channel, CommunicationDirection, FollowUpStatus, Incident, IncidentStatus
from invoices.ledger.models import RiskLevel


def field_names(names):
    """Changed fields as the incident page names them (their verbose names), in the reader's language."""
    return pgettext("list separator", ", ").join(str(Incident._meta.get_field(name).verbose_name) for name in names)


NOTICE_NOT_SENT = {"no_template": _("no active reissue-notice template"), "no_email": _("the customer has no email")}
STATUS = label(IncidentStatus)

register({
    "incident.opened": _("Incident %(ref)s opened."),
    "incident.changed": EventText(_("Changed: %(fields)s"), fields=field_names),
    "incident.invoices_attached": _("%(n)d invoice(s) attached."),
    "incident.status": EventText(_("Status %(a)s → %(b)s"), a=STATUS, b=STATUS),
    "incident.status_note": EventText(_("Status %(a)s → %(b)s. %(note)s"), a=STATUS, b=STATUS),
    "incident.review.closed": _("Review signed off; incident closed."),
    "incident.review.closed_comment": _("Review signed off; incident closed. %(comment)s"),
    "incident.review.sent_back": _("Review sent back. %(comment)s"),
    "incident.step.done": EventText(_("Step %(n)s done: %(title)s"), title=translated),
    "incident.step.done_note": EventText(_("Step %(n)s done: %(title)s — %(note)s"), title=translated),
    "incident.step.skipped": EventText(_("Step %(n)s skipped: %(title)s — %(reason)s"), title=translated),
    "incident.platform_unavailable": _("Platform unavailable: %(error)s (%(n)d invoice(s))"),
    "incident.platform_recovered": _("Platform answered again."),
    "incident.sync_failed": _("Sync failed for %(n)d invoice(s): %(reason)s %(code)s"),
    "incident.platform_missing": _("Platform has no invoice %(n)s."),
    "incident.platform_differs": _("Platform disagrees with invoice %(n)s."),
    "incident.invoice_risk": EventText(
        _("The tax platform flags invoice %(n)s as %(level)s (reconciliation run #%(run)s)."),
        level=label(RiskLevel)),
    "incident.platform_check": _(
        "The platform check of %(f)s to %(t)s found %(missing)d invoice(s) missing on the platform (uploaded again) "
        "and %(mismatch)d held otherwise."),
    "incident.platform_check.back": _("Invoice %(n)s is on the platform again (%(left)d still to come back)."),
    "incident.platform_check.resolved": _("Every invoice is back on the platform and none differs: resolved "
                                          "automatically; a person signs it off."),
    "incident.reissued": EventText(_("Invoice %(orig)s red-flushed by %(red)s and reissued as %(new)s."),
                                   orig=or_dash, red=or_dash, new=or_dash),
    "incident.reissue_notice_not_sent": EventText(_("Reissue notice not sent: %(r)s."), r=labels(NOTICE_NOT_SENT)),
    "incident.red_letter_notice_not_sent": _("The buyer was not asked to confirm red-letter form %(f)s: the customer "
                                             "has no email."),
    "incident.confirmation_sent": _("Confirmation with the case link sent to %(to)s."),
    "incident.confirmation_pending": _("The appellant typed %(to)s, which is not an address recorded for the "
                                       "customer: no confirmation sent unless they ask for it on the case page."),
    "incident.customer_replied": _("The customer replied; back to investigating."),
    "incident.satisfaction": EventText(_("Customer rated the handling %(r)s/5, solved: %(s)s. %(c)s"), s=yes_no),
    "incident.communication": EventText(_("%(channel)s %(direction)s with %(customer)s: %(subject)s"),
                                        channel=label(Channel), direction=label(CommunicationDirection),
                                        subject=or_dash),
    "incident.email_sent": _("Email to %(to)s sent."),
    "incident.email_failed": _("Email to %(to)s failed: %(err)s"),
    "incident.notified": _("Notified %(n)d affected customer(s) with template %(t)s."),
    "incident.followup.created": _("Follow-up for %(who)s due %(due)s: %(title)s"),
    "incident.followup.reassigned": _("Follow-up reassigned from %(a)s to %(b)s"),
    "incident.followup.closed": EventText(_("Follow-up %(s)s: %(title)s"), s=label(FollowUpStatus)),
    "incident.followup.reminded": _("Reminder sent to %(who)s."),
    "incident.followup.escalated": _("Overdue follow-up escalated to the managers."),
    "incident.merged_into": _("Marked a duplicate of %(ref)s and closed; its invoices, communications and "
                              "follow-ups are there now."),
    "incident.merged_into_note": _("Marked a duplicate of %(ref)s and closed; its invoices, communications and "
                                   "follow-ups are there now. %(note)s"),
    "incident.merged_from": _("%(ref)s merged in as a duplicate: %(n_inv)d invoice(s), %(n_comm)d "
                              "communication(s) and %(n_fu)d follow-up(s) moved here."),
    "incident.merged_from_note": _("%(ref)s merged in as a duplicate: %(n_inv)d invoice(s), %(n_comm)d "
                                   "communication(s) and %(n_fu)d follow-up(s) moved here. %(note)s"),
    # The contact stays on the inbound portal message (staff only): the case page shows this text to its reader.
    "incident.appeal_joined": _("New appeal about invoice %(n)s through the portal, added to this case: %(text)s"),
    "incident.claimed": _("%(who)s took the incident."),
})
