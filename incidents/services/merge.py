"""合并: one problem, one incident. A duplicate hands its invoices, communications and follow-ups to the incident
that carries on, gets `duplicate_of` set and is closed with that link (no review: nothing was solved on it); both
timelines say what happened.

Both rows are locked in id order, so two people merging the same pair (either way round) wait for each other and
the second is refused, not applied twice."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..access import ensure_can_work_incident
from ..models import Communication, CommunicationPurpose, EventKind, FollowUp, Incident, IncidentStatus
from .timeline import event_record


def _lock_pair(a, b):
    ids = sorted({a, b})
    rows = {i.pk: i for i in Incident.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    return rows.get(a), rows.get(b)


@transaction.atomic
def incident_merge(*, duplicate, into, actor, note=""):
    """Mark `duplicate` a duplicate of `into` and move its work there. Returns the incident that carries on."""
    duplicate_id = getattr(duplicate, "pk", duplicate)
    target_id = getattr(into, "pk", into)
    if duplicate_id == target_id:
        raise ValidationError({"into": _("An incident cannot be merged into itself.")})
    duplicate, target = _lock_pair(duplicate_id, target_id)
    if duplicate is None or target is None:
        raise ValidationError({"into": _("No such incident.")})
    ensure_can_work_incident(actor, duplicate)
    ensure_can_work_incident(actor, target)
    errors = {}
    if duplicate.status == IncidentStatus.CLOSED:
        errors["duplicate"] = _("%(ref)s is already closed; reopen it before merging it.") % {
            "ref": duplicate.reference}
    if target.status == IncidentStatus.CLOSED:
        errors["into"] = _("%(ref)s is closed: merge into an incident that is still being worked on.") % {
            "ref": target.reference}
    elif target.duplicate_of_id is not None:
        errors["into"] = _("%(ref)s is itself a duplicate: merge into the incident it was merged into.") % {
            "ref": target.reference}
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    invoice_ids = sorted(duplicate.invoices.values_list("pk", flat=True))
    new_invoice_ids = sorted(set(invoice_ids) - set(target.invoices.filter(pk__in=invoice_ids)
                                                  .values_list("pk", flat=True)))
    target.invoices.add(*new_invoice_ids)
    duplicate.invoices.clear()
    communications = Communication.objects.filter(incident=duplicate)
    if Communication.objects.filter(incident=target, purpose=CommunicationPurpose.SURVEY).exists():
        # One survey per incident, ever: the duplicate's survey stays where it was answered.
        communications = communications.exclude(purpose=CommunicationPurpose.SURVEY)
    moved_comms = communications.update(incident=target)
    moved_followups = FollowUp.objects.filter(incident=duplicate).update(incident=target)
    old_status = duplicate.status
    duplicate.duplicate_of = target
    duplicate.status, duplicate.closed_at = IncidentStatus.CLOSED, now
    duplicate.save(update_fields=["duplicate_of", "status", "closed_at"])
    note = (note or "").strip()
    counts = {"n_inv": len(new_invoice_ids), "n_comm": moved_comms, "n_fu": moved_followups}
    event_record(incident=duplicate, kind=EventKind.MERGE, actor=actor,
                 code="incident.merged_into_note" if note else "incident.merged_into",
                 params={"ref": target.reference, **({"note": note} if note else {})},
                 data={"into": target.pk, "from_status": old_status, "invoice_ids": invoice_ids, **counts})
    event_record(incident=target, kind=EventKind.MERGE, actor=actor,
                 code="incident.merged_from_note" if note else "incident.merged_from",
                 params={"ref": duplicate.reference, **counts, **({"note": note} if note else {})},
                 data={"duplicate": duplicate.pk, "invoice_ids": new_invoice_ids, **counts})
    return target
