"""The incident page as a desk: what the header shows (who, what, how late, which invoices) and the actions offered
where the work is. Read-only; every action is a link or a small POST to a view that calls one service."""
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ..access import can_work_incident
from ..models import Channel, CommunicationDirection, IncidentStatus
from ..selectors import every_invoice_synced, related_open_incidents
from .forms import next_statuses
from .names import person


def _add_url(model, **params):
    return reverse(f"admin:incidents_{model}_add") + "?" + urlencode({k: v for k, v in params.items() if v})


def incident_state(incident):
    """What a background change alters on the desk (status, owner, the invoices' sync states, the newest timeline
    row): the page polls it (incidents/static/incidents/desk_refresh.js) and offers a refresh when it moves."""
    last_event = incident.events.order_by("-id").values_list("id", flat=True).first() or 0
    syncs = ",".join(f"{pk}:{state}" for pk, state in incident.invoices.order_by("pk").values_list("pk", "sync_status"))
    return f"{incident.status}|{incident.owner_id or ''}|{last_event}|{syncs}"


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
        "owner": person(incident.owner),
        "customer": incident.customer.name if incident.customer else "",
        "customer_url": (reverse("admin:invoices_customer_change", args=[incident.customer_id])
                         if incident.customer_id else ""),
        "response_due": incident.response_due_at, "resolve_due": incident.resolve_due_at,
        "response_breached": incident.response_breached(now),
        "resolve_breached": incident.resolve_breached(now),
        "invoices": invoices, "closed": closed, "works": works,
        "timeline_url": reverse("admin:incidents_incident_timeline", args=[incident.pk]),
        "state_url": reverse("admin:incidents_incident_state", args=[incident.pk]),
        "state": incident_state(incident), "poll_ms": settings.HOME_POLL_SECONDS * 1000,
        "all_synced": incident.is_open and every_invoice_synced(incident),
    }
    if incident.duplicate_of_id:
        desk["duplicate_of"] = incident.duplicate_of.reference
        desk["duplicate_of_url"] = reverse("admin:incidents_incident_change", args=[incident.duplicate_of_id])
    merge_url = reverse("admin:incidents_incident_merge", args=[incident.pk])
    desk["related"] = [
        {"reference": other.reference, "title": other.title, "status": other.get_status_display(),
         "owner": person(other.owner), "why": reason,
         "url": reverse("admin:incidents_incident_change", args=[other.pk]),
         "merge_url": f"{merge_url}?into={other.pk}" if works and not closed and can_work_incident(user, other)
         else ""}
        for other, reason in related_open_incidents(incident, user)]
    if works and not closed and incident.owner_id is None:
        desk["claim_url"] = reverse("admin:incidents_incident_claim", args=[incident.pk])
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
