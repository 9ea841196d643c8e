"""The append-only timeline. Every other service writes its event through `event_record`."""
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..access import ensure_can_see_incident, ensure_can_work_incident
from ..models import EventKind, IncidentEvent, IncidentStep
from .work import ensure_not_closed, lock_incident, start_work_if_new

# Clocks of staff PCs drift; a note "a minute from now" is a typo, not a prophecy.
FUTURE_SKEW = timedelta(minutes=5)


def event_record(*, incident, kind, actor=None, message="", data=None, at=None):
    kwargs = {"incident": incident, "kind": kind, "actor": actor, "message": str(message), "data": data or {}}
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
    # A note is a remark (a manager's too), not the start of work: the status stays as it is.
    ensure_not_closed(lock_incident(incident))
    return event_record(incident=incident, kind=EventKind.NOTE, actor=actor, message=message, at=at)


@transaction.atomic
def incident_step_done(*, step, actor, note=""):
    """Tick one checklist step. A ticked step stays ticked: the timeline is the record of it."""
    step = IncidentStep.objects.select_for_update().select_related("incident").get(pk=step.pk)
    incident = _lock_for_step(step, actor)
    step.done_at = timezone.now()
    step.done_by = actor
    step.save(update_fields=["done_at", "done_by"])
    message = _("Step %(n)s done: %(title)s") % {"n": step.position, "title": _(step.title)}
    if note:
        message = f"{message} — {note}"
    event_record(incident=incident, kind=EventKind.STEP_DONE, actor=actor, message=message,
                 data={"step_id": step.pk, "position": step.position})
    return step


@transaction.atomic
def incident_step_skip(*, step, actor, reason):
    """A step that does not apply to this incident is skipped, never silently: the reason is kept on the step
    and on the timeline, where the reviewer reads it before signing off."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this step is skipped.")})
    step = IncidentStep.objects.select_for_update().select_related("incident").get(pk=step.pk)
    incident = _lock_for_step(step, actor)
    step.done_at, step.done_by, step.skip_reason = timezone.now(), actor, reason
    step.save(update_fields=["done_at", "done_by", "skip_reason"])
    event_record(incident=incident, kind=EventKind.STEP_DONE, actor=actor,
                 message=_("Step %(n)s skipped: %(title)s — %(reason)s") % {
                     "n": step.position, "title": _(step.title), "reason": reason},
                 data={"step_id": step.pk, "position": step.position, "skipped": True})
    return step


def _lock_for_step(step, actor):
    """Checks shared by ticking and skipping; the first step worked moves a new incident to investigating."""
    incident = lock_incident(step.incident_id)
    ensure_can_work_incident(actor, incident)
    ensure_not_closed(incident)
    if step.done_at is not None:
        raise ValidationError({"step": _("This step was already done.")})
    return start_work_if_new(incident, actor)
