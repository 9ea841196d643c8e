"""Working the checklist: ticking a step, or skipping one with a reason. The "review and prevent" step also records
the prevention action as a follow-up. The first step worked moves a new incident to investigating."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..access import ensure_can_work_incident
from ..models import EventKind, FollowUp, FollowUpKind, IncidentStep
from .followups import followup_create
from .timeline import event_record
from .work import ensure_not_closed, lock_incident, start_work_if_new


def _lock_for_step(step, actor):
    """Checks shared by ticking and skipping; the first step worked moves a new incident to investigating."""
    incident = lock_incident(step.incident_id)
    ensure_can_work_incident(actor, incident)
    ensure_not_closed(incident)
    if step.done_at is not None:
        raise ValidationError({"step": _("This step was already done.")})
    return start_work_if_new(incident, actor)


PREVENTION_ACTION_MAX = FollowUp._meta.get_field("title").max_length


def _prevention_errors(action, owner, due_at):
    errors = {}
    if not (action or "").strip():
        errors["prevention_action"] = _("Say what prevents this from happening again.")
    elif len(action.strip()) > PREVENTION_ACTION_MAX:
        # It becomes the follow-up's title: refused rather than cut.
        errors["prevention_action"] = _("At most %(n)s characters.") % {"n": PREVENTION_ACTION_MAX}
    if owner is None:
        errors["prevention_owner"] = _("Name who carries out the prevention action.")
    if due_at is None:
        errors["prevention_due_at"] = _("Give the prevention action a due date.")
    elif due_at <= timezone.now():
        errors["prevention_due_at"] = _("The due date must lie in the future.")
    return errors


@transaction.atomic
def incident_step_done(*, step, actor, note="", prevention_action="", prevention_owner=None,
                       prevention_due_at=None):
    """Tick one checklist step. A ticked step stays ticked: the timeline is the record of it.

    The "review and prevent" step (records_prevention) needs the prevention action, its owner and due date;
    they become a follow-up of kind prevention, so the action is chased like any callback."""
    step = IncidentStep.objects.select_for_update().select_related("incident").get(pk=step.pk)
    incident = _lock_for_step(step, actor)
    followup = None
    if step.records_prevention:
        errors = _prevention_errors(prevention_action, prevention_owner, prevention_due_at)
        if errors:
            raise ValidationError(errors)
        followup = followup_create(actor=actor, title=prevention_action.strip(), incident=incident,
                                   assignee=prevention_owner, due_at=prevention_due_at, kind=FollowUpKind.PREVENTION)
    step.done_at = timezone.now()
    step.done_by = actor
    step.save(update_fields=["done_at", "done_by"])
    event_record(incident=incident, kind=EventKind.STEP_DONE, actor=actor,
                 code="incident.step.done_note" if note else "incident.step.done",
                 params={"n": step.position, "title": step.title, **({"note": note} if note else {})},
                 data={"step_id": step.pk, "position": step.position,
                       **({"prevention_follow_up_id": followup.pk} if followup else {})})
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
                 code="incident.step.skipped", params={"n": step.position, "title": step.title, "reason": reason},
                 data={"step_id": step.pk, "position": step.position, "skipped": True})
    return step
