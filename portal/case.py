"""What the customer sees of their case: its state in their words, what we sent them, what they wrote, and the
invoices with their new numbers after a reissue. Internal notes and staff names never appear."""
import re

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from incidents.links import survey_token
from incidents.models import (
    Channel,
    Communication,
    CommunicationDirection,
    DeliveryStatus,
    EventKind,
    IncidentEvent,
    IncidentStatus,
)
from incidents.selectors import satisfaction_of
from incidents.services.portal import pending_confirmation

from .selectors import invoice_portal_status

S = IncidentStatus
CUSTOMER_STATUS = {
    S.NEW: "received", S.INVESTIGATING: "working", S.WAITING_PLATFORM: "waiting_platform",
    S.WAITING_CUSTOMER: "waiting_you", S.RESOLVED: "resolved", S.CLOSED: "closed",
}


def _messages(incident):
    """Our e-mails as sent (subject and text), our calls and visits as a dated line, and the customer's own
    messages; newest last. Only what went to the case's own customer, or to the appellant before a customer was
    known (the appeal's confirmation): never another affected customer's notices."""
    items = []
    staff = _staff_names(incident)
    own = Q(customer_id=incident.customer_id) | Q(customer__isnull=True)
    for comm in (Communication.objects.filter(own, incident=incident, direction=CommunicationDirection.OUTBOUND)
                 .exclude(delivery_status__in=[DeliveryStatus.QUEUED, DeliveryStatus.FAILED])
                 .order_by("occurred_at", "pk")):
        if comm.channel == Channel.EMAIL:
            items.append({"at": comm.sent_at or comm.occurred_at, "who": "us", "kind": "email",
                          "subject": _without_staff_names(comm.subject, staff),
                          "body": _without_staff_names(comm.body, staff)})
        else:
            items.append({"at": comm.occurred_at, "who": "us", "kind": "contact",
                          "channel": comm.get_channel_display()})
    for event in IncidentEvent.objects.filter(incident=incident, kind=EventKind.CUSTOMER_MESSAGE).order_by("at"):
        items.append({"at": event.at, "who": "you", "kind": "message", "body": event.text})
    return sorted(items, key=lambda item: item["at"])


def _without_staff_names(text, names):
    for name in names:
        # A login like "cs" only as a word of its own; a Chinese name wherever it stands.
        pattern = rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])" if name.isascii() else re.escape(name)
        text = re.sub(pattern, str(_("our service desk")), text)
    return text


def _staff_names(incident):
    """Names and logins of everyone who wrote on the case: the customer reads "our service desk" instead."""
    users = get_user_model().objects.filter(
        Q(pk__in=Communication.objects.filter(incident=incident).values("created_by"))
        | Q(pk=incident.owner_id))
    names = set()
    for user in users:
        names.update(n for n in (user.get_full_name().strip(), user.first_name.strip(), user.get_username())
                     if len(n) >= 2)
    return sorted(names, key=len, reverse=True)  # the full name before its parts


def own_invoices(incident):
    """The case's invoices that belong to its customer: an incident may hold other buyers' invoices (one upload
    failure, many customers), and none of those is this customer's business. No customer known: none."""
    if not incident.customer_id:
        return incident.invoices.none()
    return incident.invoices.filter(buyer_id=incident.customer_id)


def case_context(incident, token):
    invoices = [{"invoice": invoice, "status": invoice_portal_status(invoice)}
                for invoice in own_invoices(incident).select_related("seller").order_by("issued_at", "pk")]
    answer = satisfaction_of(incident)
    survey_url = None
    if incident.status in (S.RESOLVED, S.CLOSED) and answer is None and incident.customer_id:
        survey_url = reverse("portal:survey", args=[survey_token(incident)])
    return {
        "incident": incident, "token": token, "state": CUSTOMER_STATUS[S(incident.status)],
        "messages": _messages(incident), "invoices": invoices,
        "pending_confirmation": pending_confirmation(incident), "answer": answer, "survey_url": survey_url,
        "can_write": incident.status != S.CLOSED,
    }
