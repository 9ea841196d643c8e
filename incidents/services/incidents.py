"""Opening incidents, changing their details and moving them through the status machine.

    new ─┬─> investigating ─┬─> waiting_customer ─┐
         │                  └─> waiting_platform ─┤   (the three working states move freely between them)
         └──────────────────────────────────────────> resolved ──(review sign-off)──> closed
    resolved ──(review sent back, or reopen)──> investigating;  closed ──(reopen)──> investigating

Resolving needs a root cause and a resolution; closing happens only through `incident_review` by a user
with `incidents.review_incident`. Each change writes its IncidentEvent in the same transaction."""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import sla
from ..access import default_team, ensure_can_see_incident, ensure_can_work_incident, ensure_team_allowed
from ..models import (
    OPEN_STATUSES,
    EventKind,
    Incident,
    IncidentCategory,
    IncidentKind,
    IncidentSequence,
    IncidentStatus,
    IncidentStep,
    Playbook,
    Severity,
)
from .survey_invite import survey_invite_later
from .timeline import event_record
from .work import ensure_not_closed, steps_left

S = IncidentStatus
TRANSITIONS = {
    S.NEW: {S.INVESTIGATING, S.WAITING_CUSTOMER, S.WAITING_PLATFORM, S.RESOLVED},
    S.INVESTIGATING: {S.WAITING_CUSTOMER, S.WAITING_PLATFORM, S.RESOLVED},
    S.WAITING_CUSTOMER: {S.INVESTIGATING, S.WAITING_PLATFORM, S.RESOLVED},
    S.WAITING_PLATFORM: {S.INVESTIGATING, S.WAITING_CUSTOMER, S.RESOLVED},
    S.RESOLVED: {S.INVESTIGATING},
    S.CLOSED: {S.INVESTIGATING},
}
UPDATABLE_FIELDS = (
    "title", "description", "kind", "category", "severity", "customer", "seller", "team", "owner",
    "fault_started_at", "detected_at", "platform_recovered_at", "customer_informed_at", "root_cause_category",
    "root_cause", "resolution",
)


def lock_incident(incident):
    return Incident.objects.select_for_update().get(pk=incident.pk if isinstance(incident, Incident) else incident)


def _next_reference(at):
    year = timezone.localtime(at).year
    try:
        with transaction.atomic():
            IncidentSequence.objects.get_or_create(year=year)
    except IntegrityError:
        pass  # another transaction created the year's row first; lock theirs below
    seq = IncidentSequence.objects.select_for_update().get(year=year)
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"INC-{year}-{seq.last:06d}"


def _check_choices(errors, **values):
    for name, (value, choices) in values.items():
        if value not in choices.values:
            errors[name] = _("'%(v)s' is not a valid choice.") % {"v": value}


def _validate_times(errors, values, now):
    for name in ("fault_started_at", "detected_at", "platform_recovered_at", "customer_informed_at"):
        value = values.get(name)
        if value is not None and value > now + timezone.timedelta(minutes=5):
            errors[name] = _("This time lies in the future.")
    fault, detected = values.get("fault_started_at"), values.get("detected_at")
    if fault and detected and fault > detected:
        errors["fault_started_at"] = _("The fault cannot start after it was detected.")


def _copy_playbook(incident):
    playbook = Playbook.objects.filter(category=incident.category, active=True).first()
    if playbook is None:
        return
    IncidentStep.objects.bulk_create(
        IncidentStep(incident=incident, position=s.position, title=s.title, help_text=s.help_text,
                     records_prevention=s.records_prevention)
        for s in playbook.steps.all()
    )


@transaction.atomic
def incident_open(*, actor, title, category, kind=IncidentKind.COMPLAINT, severity=Severity.SEV3, description="",
                  customer=None, seller=None, invoices=(), owner=None, fault_started_at=None, detected_at=None,
                  source_key="", team=None):
    if actor is not None and not actor.has_perm("incidents.add_incident"):
        raise PermissionDenied(_("You may not open incidents."))
    # A rep's incident belongs to their team; the system's (signals) start in the shared queue.
    ensure_team_allowed(actor, team)
    if team is None and actor is not None:
        team = default_team(actor)
    now = timezone.now()
    detected_at = detected_at or now
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("A title is required.")
    _check_choices(errors, category=(category, IncidentCategory), kind=(kind, IncidentKind),
                   severity=(severity, Severity))
    _validate_times(errors, {"fault_started_at": fault_started_at, "detected_at": detected_at}, now)
    if errors:
        raise ValidationError(errors)
    response_due, resolve_due = sla.due_times(severity, detected_at)
    incident = Incident.objects.create(
        reference=_next_reference(now), title=title.strip(), description=description or "", kind=kind,
        category=category, severity=severity, customer=customer, seller=seller, team=team,
        owner=owner if owner is not None else actor, created_by=actor, created_at=now,
        fault_started_at=fault_started_at, detected_at=detected_at, response_due_at=response_due,
        resolve_due_at=resolve_due, source_key=source_key,
    )
    invoice_ids = sorted({getattr(i, "pk", i) for i in invoices})
    if invoice_ids:
        incident.invoices.add(*invoice_ids)
    _copy_playbook(incident)
    event_record(incident=incident, kind=EventKind.CREATED, actor=actor,
                 code="incident.opened", params={"ref": incident.reference},
                 data={"category": category, "severity": severity, "invoice_ids": invoice_ids})
    return incident


def _display(value):
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return timezone.localtime(value).isoformat() if getattr(value, "tzinfo", None) else value.isoformat()
    return str(value)


@transaction.atomic
def incident_update(*, incident, actor, **changes):
    """Change details (not the status). Severity or detection time changes move the SLA due times."""
    unknown = set(changes) - set(UPDATABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    incident = lock_incident(incident)
    ensure_can_work_incident(actor, incident)
    ensure_not_closed(incident)
    if "team" in changes:
        ensure_team_allowed(actor, changes["team"])
    errors = {}
    if "title" in changes and not (changes["title"] or "").strip():
        errors["title"] = _("A title is required.")
    for name, choices in (("category", IncidentCategory), ("kind", IncidentKind), ("severity", Severity)):
        if name in changes:
            _check_choices(errors, **{name: (changes[name], choices)})
    merged = {f: changes.get(f, getattr(incident, f)) for f in ("fault_started_at", "detected_at")}
    merged.update({f: changes[f] for f in ("platform_recovered_at", "customer_informed_at") if f in changes})
    _validate_times(errors, merged, timezone.now())
    if incident.status in (S.RESOLVED, S.CLOSED):
        for name in ("root_cause", "resolution"):
            if name in changes and not (changes[name] or "").strip():
                errors[name] = _("A resolved incident keeps its root cause and resolution.")
        if "root_cause_category" in changes and changes["root_cause_category"] is None:
            errors["root_cause_category"] = _("A resolved incident keeps its root-cause category.")
    if changes.get("root_cause_category") is not None and not changes["root_cause_category"].active:
        errors["root_cause_category"] = _("This root-cause category is no longer in use; choose another.")
    if errors:
        raise ValidationError(errors)
    diff = {}
    for name, value in changes.items():
        old = getattr(incident, name)
        if old != value:
            diff[name] = [_display(old), _display(value)]
            setattr(incident, name, value)
    if not diff:
        return incident
    fields = list(changes)
    if "severity" in diff or "detected_at" in diff:
        incident.response_due_at, incident.resolve_due_at = sla.due_times(incident.severity, incident.detected_at)
        fields += ["response_due_at", "resolve_due_at"]
    incident.save(update_fields=fields)
    event_record(incident=incident, kind=EventKind.UPDATED, actor=actor,
                 code="incident.changed", params={"fields": sorted(diff)},
                 data={"changes": diff})
    return incident


@transaction.atomic
def incident_attach_invoices(*, incident, invoice_ids, actor=None, code="", params=None, kind=EventKind.INVOICES,
                             data=None):
    """Attach invoices not yet attached; writes one event listing what was new (or nothing if none), or the
    caller's `code` and `params` (incidents/event_texts.py) saying why they came."""
    incident = lock_incident(incident)
    have = set(incident.invoices.filter(pk__in=invoice_ids).values_list("pk", flat=True))
    new = sorted(set(invoice_ids) - have)
    if new:
        incident.invoices.add(*new)
    if new or code:
        event_record(incident=incident, kind=kind, actor=actor, code=code or "incident.invoices_attached",
                     params=params if code else {"n": len(new)},
                     data={"invoice_ids": new, **(data or {})})
    return incident, new


def mark_first_response(incident, at):
    """Called by services that already hold the incident's lock."""
    if incident.first_response_at is None:
        incident.first_response_at = at
        return ["first_response_at"]
    return []


@transaction.atomic
def incident_transition(*, incident, to, actor, note="", root_cause=None, resolution=None, root_cause_category=None):
    incident = lock_incident(incident)
    ensure_can_work_incident(actor, incident)
    if to not in S.values:
        raise ValidationError({"status": _("'%(v)s' is not a valid status.") % {"v": to}})
    to = S(to)
    if to == S.CLOSED:
        raise ValidationError({"status": _("An incident is closed only by a manager's review sign-off.")})
    if to not in TRANSITIONS[S(incident.status)]:
        raise ValidationError({"status": _("Cannot move from %(a)s to %(b)s.") % {
            "a": S(incident.status).label, "b": to.label}})
    now = timezone.now()
    fields = ["status"]
    if to == S.RESOLVED:
        root_cause = (root_cause if root_cause is not None else incident.root_cause).strip()
        resolution = (resolution if resolution is not None else incident.resolution).strip()
        category = root_cause_category if root_cause_category is not None else incident.root_cause_category
        errors = {}
        # The checklist first: the manager's sign-off is then never refused for a step left open.
        left = steps_left(incident)
        if left:
            errors["status"] = _("Every checklist step must be done or skipped with a reason before the incident "
                                 "is resolved; still open: %(steps)s.") % {
                "steps": ", ".join(str(step) for step in left)}
        if category is None:
            errors["root_cause_category"] = _("A root-cause category is required to resolve an incident.")
        elif not category.active:
            errors["root_cause_category"] = _("This root-cause category is no longer in use; choose another.")
        if not root_cause:
            errors["root_cause"] = _("A root cause is required to resolve an incident.")
        if not resolution:
            errors["resolution"] = _("A resolution is required to resolve an incident.")
        if errors:
            raise ValidationError(errors)
        incident.root_cause, incident.resolution, incident.resolved_at = root_cause, resolution, now
        incident.root_cause_category = category
        fields += ["root_cause_category", "root_cause", "resolution", "resolved_at"]
    if incident.status in (S.RESOLVED, S.CLOSED):
        # Reopening or a review sent back: the incident is open again and needs a new sign-off.
        if not (note or "").strip():
            raise ValidationError({"note": _("Say why the incident is reopened.")})
        incident.resolved_at = incident.closed_at = incident.reviewed_at = None
        incident.reviewed_by = None
        fields += ["resolved_at", "closed_at", "reviewed_at", "reviewed_by"]
    if incident.status == S.NEW:
        fields += mark_first_response(incident, now)
    # Whoever moves an unowned incident on (开始处理, resolving an appeal from the shared queue) has taken it.
    claimed = incident.owner_id is None and actor is not None
    if claimed:
        incident.owner = actor
        fields.append("owner")
    old = incident.status
    incident.status = to
    incident.save(update_fields=fields)
    if claimed:
        _claimed_event(incident, actor)
    event_record(incident=incident, kind=EventKind.STATUS_CHANGE, actor=actor,
                 code="incident.status_note" if note else "incident.status",
                 params={"a": old, "b": to.value, **({"note": note} if note else {})},
                 data={"from": old, "to": to.value, "note": note or "",
                       **({"root_cause_category": incident.root_cause_category.code} if to == S.RESOLVED else {})})
    if to == S.RESOLVED:
        survey_invite_later(incident)
    return incident


def _claimed_event(incident, actor):
    event_record(incident=incident, kind=EventKind.UPDATED, actor=actor, code="incident.claimed",
                 params={"who": actor.get_full_name() or actor.get_username()},
                 data={"changes": {"owner": ["", str(actor)]}})


@transaction.atomic
def incident_claim(*, incident, actor):
    """领取: an incident nobody owns becomes the actor's. One already taken is refused, naming who has it (two
    people pressing 领取 at once: the second waits for the lock and is told)."""
    incident = lock_incident(incident)
    ensure_can_see_incident(actor, incident)
    ensure_not_closed(incident)
    if incident.owner_id == actor.pk:
        return incident
    if incident.owner_id is not None:
        raise ValidationError({"owner": _("%(who)s has already taken this incident.") % {
            "who": incident.owner.get_full_name() or incident.owner.get_username()}})
    ensure_can_work_incident(actor, incident)
    incident.owner = actor
    incident.save(update_fields=["owner"])
    _claimed_event(incident, actor)
    return incident


@transaction.atomic
def incident_review(*, incident, actor, approve, comment=""):
    """A manager signs off a resolved incident (→ closed) or sends it back (→ investigating) with a comment."""
    if actor is None or not actor.has_perm("incidents.review_incident"):
        raise PermissionDenied(_("Only a reviewer may sign off incidents."))
    incident = lock_incident(incident)
    if incident.status != S.RESOLVED:
        raise ValidationError({"status": _("Only a resolved incident can be reviewed.")})
    now = timezone.now()
    if approve:
        left = steps_left(incident)
        if left:
            raise ValidationError({"status": _("Every checklist step must be done or skipped with a reason before "
                                               "the incident is closed; still open: %(steps)s.") % {
                "steps": ", ".join(str(step) for step in left)}})
        incident.status, incident.closed_at = S.CLOSED, now
        incident.reviewed_by, incident.reviewed_at = actor, now
        incident.save(update_fields=["status", "closed_at", "reviewed_by", "reviewed_at"])
        code = "incident.review.closed_comment" if (comment or "").strip() else "incident.review.closed"
    else:
        if not (comment or "").strip():
            raise ValidationError({"comment": _("Say what is missing when sending a review back.")})
        incident.status, incident.resolved_at = S.INVESTIGATING, None
        incident.save(update_fields=["status", "resolved_at"])
        code = "incident.review.sent_back"
    event_record(incident=incident, kind=EventKind.REVIEW, actor=actor, code=code,
                 params={"comment": comment.strip()} if (comment or "").strip() else {},
                 data={"approved": bool(approve), "comment": comment or "", "to": incident.status})
    return incident


def open_incident_for_source(*, source_key, **open_kwargs):
    """The open automatic incident with this key, or a new one. Returns (incident, created).

    The partial unique constraint on source_key settles a race between two receivers: the loser's insert
    fails inside its savepoint and it takes the winner's incident."""
    def existing():
        return (Incident.objects.select_for_update()
                .filter(source_key=source_key, status__in=OPEN_STATUSES, platform_recovered_at__isnull=True)
                .first())

    with transaction.atomic():
        found = existing()
        if found is not None:
            return found, False
        try:
            with transaction.atomic():
                return incident_open(actor=None, source_key=source_key, **open_kwargs), True
        except IntegrityError:
            found = existing()
            if found is None:
                raise
            return found, False
