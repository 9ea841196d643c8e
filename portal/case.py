"""What the customer sees of their case: its state in their words, what we sent them, what they wrote, and the
invoices with their new numbers after a reissue. Internal notes and staff names never appear."""
from django.db.models import Q
from django.urls import reverse

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
    own = Q(customer_id=incident.customer_id) | Q(customer__isnull=True)
    for comm in (Communication.objects.filter(own, incident=incident, direction=CommunicationDirection.OUTBOUND)
                 .exclude(delivery_status__in=[DeliveryStatus.QUEUED, DeliveryStatus.FAILED])
                 .order_by("occurred_at", "pk")):
        if comm.channel == Channel.EMAIL:
            items.append({"at": comm.sent_at or comm.occurred_at, "who": "us", "kind": "email",
                          "subject": comm.subject, "body": comm.body})
        else:
            items.append({"at": comm.occurred_at, "who": "us", "kind": "contact",
                          "channel": comm.get_channel_display()})
    for event in IncidentEvent.objects.filter(incident=incident, kind=EventKind.CUSTOMER_MESSAGE).order_by("at"):
        items.append({"at": event.at, "who": "you", "kind": "message", "body": event.text})
    return sorted(items, key=lambda item: item["at"])


def case_context(incident, token):
    invoices = [{"invoice": invoice, "status": invoice_portal_status(invoice)}
                for invoice in incident.invoices.select_related("seller").order_by("issued_at", "pk")]
    answer = satisfaction_of(incident)
    survey_url = None
    if incident.status in (S.RESOLVED, S.CLOSED) and answer is None and incident.customer_id:
        survey_url = reverse("portal:survey", args=[survey_token(incident)])
    return {
        "incident": incident, "token": token, "state": CUSTOMER_STATUS[S(incident.status)],
        "messages": _messages(incident), "invoices": invoices, "answer": answer, "survey_url": survey_url,
        "can_write": incident.status != S.CLOSED,
    }
