"""The append-only timeline. Every other service writes its event through `event_record`."""
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import not_before_2000_error
from core.event_texts import fact

from ..access import ensure_can_see_incident
from ..models import EventKind, IncidentEvent
from .work import ensure_not_closed, lock_incident

# Clocks of staff PCs drift; a note "a minute from now" is a typo, not a prophecy.
FUTURE_SKEW = timedelta(minutes=5)


def event_record(*, incident, kind, actor=None, code="", params=None, message="", data=None, at=None):
    """One timeline event: what happened as `code` and `params` (incidents/event_texts.py), rendered in the
    reader's language; `message` only for free text a person typed (a note, the customer's message)."""
    text = {"message_code": "", "params": {}, "message": str(message or "")}
    if code:
        text.update(message_code=code, params=fact(code, **(params or {}))["params"])
    kwargs = {"incident": incident, "kind": kind, "actor": actor, **text, "data": data or {}}
    if at is not None:
        kwargs["at"] = at
    return IncidentEvent.objects.create(**kwargs)


@transaction.atomic
def incident_note_add(*, incident, actor, message, at=None):
    """A staff note, optionally with the past time it refers to ("called at 14:05")."""
    if actor is not None and not actor.has_perm("incidents.add_incidentevent"):
        raise PermissionDenied(_("You may not add notes to incidents."))
    if actor is not None:
        ensure_can_see_incident(actor, incident)
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": _("A note needs some text.")})
    if at is not None and at > timezone.now() + FUTURE_SKEW:
        raise ValidationError({"at": _("A note cannot be dated in the future.")})
    if not_before_2000_error(at):
        raise ValidationError({"at": not_before_2000_error(at)})
    # A note is a remark (a manager's too), not the start of work: the status stays as it is.
    ensure_not_closed(lock_incident(incident))
    return event_record(incident=incident, kind=EventKind.NOTE, actor=actor, message=message, at=at)
