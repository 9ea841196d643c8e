"""Ticking checklist steps; the "review and prevent" step also records the prevention action as a follow-up."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..access import ensure_can_work_incident
from ..models import EventKind, FollowUpKind, IncidentStep
from .followups import followup_create
from .timeline import event_record


@transaction.atomic
def incident_step_done(*, step, actor, note="", prevention_action="", prevention_owner=None,
                       prevention_due_at=None):
    """Tick one checklist step. A ticked step stays ticked: the timeline is the record of it.

    The "review and prevent" step (records_prevention) needs the prevention action, its owner and due date;
    they become a follow-up of kind prevention, so the action is chased like any callback."""
    step = IncidentStep.objects.select_for_update().select_related("incident").get(pk=step.pk)
    ensure_can_work_incident(actor, step.incident)
    if step.done_at is not None:
        raise ValidationError({"step": _("This step was already done.")})
    followup = None
    if step.records_prevention:
        errors = {}
        if not (prevention_action or "").strip():
            errors["prevention_action"] = _("Say what prevents this from happening again.")
        if prevention_owner is None:
            errors["prevention_owner"] = _("Name who carries out the prevention action.")
        if prevention_due_at is None:
            errors["prevention_due_at"] = _("Give the prevention action a due date.")
        elif prevention_due_at <= timezone.now():
            errors["prevention_due_at"] = _("The due date must lie in the future.")
        if errors:
            raise ValidationError(errors)
        followup = followup_create(actor=actor, title=prevention_action.strip()[:200], incident=step.incident,
                                   assignee=prevention_owner, due_at=prevention_due_at, kind=FollowUpKind.PREVENTION)
    step.done_at = timezone.now()
    step.done_by = actor
    step.save(update_fields=["done_at", "done_by"])
    message = _("Step %(n)s done: %(title)s") % {"n": step.position, "title": step.title}
    if note:
        message = f"{message} — {note}"
    event_record(incident=step.incident, kind=EventKind.STEP_DONE, actor=actor, message=message,
                 data={"step_id": step.pk, "position": step.position,
                       **({"prevention_follow_up_id": followup.pk} if followup else {})})
    return step
