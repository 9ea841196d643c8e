"""The incident page as a desk: what the header shows (who, what, how late, which invoices) and the actions offered
where the work is. Read-only; every action is a link or a small POST to a view that calls one service."""
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from ..access import can_work_incident
from ..models import Channel, CommunicationDirection, IncidentStatus
from .forms import next_statuses


def _add_url(model, **params):
    return reverse(f"admin:incidents_{model}_add") + "?" + urlencode({k: v for k, v in params.items() if v})


def incident_desk(request, incident):
    user, now = request.user, timezone.now()
    works = can_work_incident(user, incident)
    closed = incident.status == IncidentStatus.CLOSED
    invoices = [
        {"number": inv.number, "sync": inv.get_sync_status_display(), "sync_value": inv.sync_status,
         "status": inv.get_status_display(), "url": reverse("admin:invoices_invoice_change", args=[inv.pk])}
        for inv in incident.invoices.order_by("issued_at", "id")[:20]
    ]
    prefill = {"incident": incident.pk, "customer": incident.customer_id}
    desk = {
        "reference": incident.reference, "status": incident.get_status_display(), "status_value": incident.status,
        "owner": (incident.owner.get_full_name() or incident.owner.get_username()) if incident.owner else "",
        "customer": incident.customer.name if incident.customer else "",
        "customer_url": (reverse("admin:invoices_customer_change", args=[incident.customer_id])
                         if incident.customer_id else ""),
        "response_due": incident.response_due_at, "resolve_due": incident.resolve_due_at,
        "response_breached": incident.response_breached(now),
        "resolve_breached": incident.resolve_breached(now),
        "invoices": invoices, "closed": closed, "works": works,
        "timeline_url": reverse("admin:incidents_incident_timeline", args=[incident.pk]),
    }
    if works and not closed:
        desk["statuses"] = [(s.value, s.label) for s in next_statuses(incident.status)]
        desk["transition_url"] = reverse("admin:incidents_incident_transition", args=[incident.pk])
        desk["start_work"] = incident.status == IncidentStatus.NEW
        desk["notify_url"] = reverse("admin:incidents_incident_notify", args=[incident.pk])
        if user.has_perm("incidents.add_communication"):
            desk["call_url"] = _add_url("communication", channel=Channel.PHONE,
                                        direction=CommunicationDirection.OUTBOUND, **prefill)
            desk["message_url"] = _add_url("communication", channel=Channel.WECHAT,
                                           direction=CommunicationDirection.OUTBOUND, **prefill)
        if user.has_perm("incidents.add_followup"):
            desk["followup_url"] = _add_url("followup", **prefill)
    if works and closed:
        desk["reopen_url"] = reverse("admin:incidents_incident_transition", args=[incident.pk]) + "?to=investigating"
    return desk
