"""Rules every kind of work on an incident shares: a closed incident is read-only, the first piece of work moves a
new incident to investigating, closing waits for the checklist. Here (models only, no other service) so that the
status machine (incidents.py) and the timeline services (timeline.py, communications.py) both use them."""
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import EventKind, Incident, IncidentEvent, IncidentStatus, IncidentStep

S = IncidentStatus


def lock_incident(incident):
    return Incident.objects.select_for_update().get(pk=incident.pk if isinstance(incident, Incident) else incident)


def ensure_not_closed(incident):
    """A closed incident is the signed-off record: only reopening (incident_transition) changes it."""
    if incident.status == S.CLOSED:
        raise ValidationError({"status": _("This incident is closed and read-only; reopen it to change it.")})


def start_work_if_new(incident, actor, *, at=None):
    """The first piece of work on a new incident (a step, a note, a contact) moves it to investigating.
    Called by services that already hold the incident's lock; writes the status event like a transition."""
    if incident.status != S.NEW:
        return incident
    at = at or timezone.now()
    incident.status = S.INVESTIGATING
    fields = ["status"]
    if incident.first_response_at is None:
        incident.first_response_at = at
        fields.append("first_response_at")
    incident.save(update_fields=fields)
    IncidentEvent.objects.create(incident=incident, kind=EventKind.STATUS_CHANGE, actor=actor,
                                 message_code="incident.status", params={"a": S.NEW.value, "b": S.INVESTIGATING.value},
                                 data={"from": S.NEW.value, "to": S.INVESTIGATING.value, "note": "", "started_work": True})
    return incident


def steps_left(incident):
    """Checklist steps neither done nor skipped: closing waits for them."""
    return list(IncidentStep.objects.filter(incident=incident, done_at__isnull=True).order_by("position", "id"))
