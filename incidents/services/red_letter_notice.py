"""A red-letter form the seller entered waits for the buyer (02): the buyer is asked, in their own words, to
confirm it in their 税务数字账户 before the deadline, and reminded once at 48 hours; the finance person who
requested the reissue gets a follow-up to call the buyer before the form lapses."""
import logging
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.admin.written import money
from invoices.ledger.models import Invoice

from ..models import OPEN_STATUSES, Communication, EventKind, FollowUpKind, Incident
from .communications import communication_send_email
from .followups import followup_create
from .timeline import event_record

log = logging.getLogger(__name__)


def _texts(invoice, form_number, deadline, reminder):
    when = timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")
    params = {"n": invoice.number, "f": form_number, "t": when, "total": money(invoice.total),
              "d": timezone.localtime(invoice.issued_at).date().isoformat()}
    subject = (_("Reminder: please confirm red-letter form %(f)s for invoice %(n)s before %(t)s") if reminder
               else _("Please confirm red-letter form %(f)s for invoice %(n)s before %(t)s")) % params
    body = _(
        "Hello,\n\n"
        "We are correcting invoice %(n)s (issued %(d)s, total %(total)s) with a red-letter invoice. Your company has "
        "already confirmed use of this invoice, so the tax platform needs your confirmation of the red-letter "
        "information form we entered, number %(f)s.\n\n"
        "Please log in to the electronic tax bureau and, in your 税务数字账户 (tax digital account), open 红字发票确认信息处理 "
        "and confirm form %(f)s before %(t)s (Beijing time). If it is not confirmed by then, the platform voids the "
        "form and the correction is delayed.\n\n"
        "Until the red-letter invoice is issued, invoice %(n)s stays valid as it is. Reply to this email or call us "
        "if anything on the form looks wrong."
    ) % params
    return subject, body


def red_letter_form_waiting_record(*, request_id, original_id, form_number, lapses_at, requester_id, reminder):
    """The email to the buyer (once per form and kind), and with the first one the requester's follow-up."""
    invoice = Invoice.objects.select_related("buyer").get(pk=original_id)
    deadline = datetime.fromisoformat(lapses_at) if lapses_at else timezone.now() + timedelta(hours=72)
    subject, body = _texts(invoice, form_number, deadline, reminder)
    with transaction.atomic():
        if Communication.objects.filter(invoice=invoice, subject=subject).exists():
            return None  # this job ran already (a lapsed lease runs it twice)
        incident = (Incident.objects.filter(invoices=original_id, status__in=OPEN_STATUSES)
                    .order_by("-id").first())
        requester = get_user_model().objects.filter(pk=requester_id).first()
        if not reminder and requester is not None:
            followup_create(
                actor=None, assignee=requester, incident=incident, customer=invoice.buyer,
                kind=FollowUpKind.CALLBACK, due_at=deadline - timedelta(hours=24),
                title=_("Call %(c)s: red-letter form %(f)s for invoice %(n)s needs their confirmation by %(t)s") % {
                    "c": invoice.buyer.name, "f": form_number, "n": invoice.number,
                    "t": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")},
            )
        if not invoice.buyer.email:
            if incident is not None:
                event_record(incident=incident, kind=EventKind.NOTE, actor=None,
                             code="incident.red_letter_notice_not_sent", params={"f": form_number})
            log.warning("red-letter form %s: buyer %s has no email", form_number, invoice.buyer_id)
            return None
        return communication_send_email(actor=None, customer=invoice.buyer, subject=subject, body=body,
                                        incident=incident, invoice=invoice)
