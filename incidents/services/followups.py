"""Follow-ups: who calls whom back by when, reminders before the due time and one escalation after it.

Reminders and escalations are counted in business hours of the default WorkCalendar:
- reminder: once, when the remaining working time until due is at most INCIDENTS_FOLLOWUP_REMIND_BEFORE_HOURS;
- escalation: once (escalated_at is never cleared), when a follow-up is overdue by at least
  INCIDENTS_FOLLOWUP_ESCALATE_AFTER_HOURS of working time. It goes to "the owner's manager", which this
  organisation models as every active user holding `incidents.review_incident` (the 经理 group), since
  staff have no individual line manager in the user model."""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import due_date_error
from core.event_texts import person

from .. import sla
from ..access import default_team, ensure_can_see_incident, ensure_can_work_followup
from ..models import EventKind, FollowUp, FollowUpKind, FollowUpPriority, FollowUpStatus, StaffEmailPurpose
from .mail import staff_email_send
from .timeline import event_record


def remind_before():
    return sla.hours(getattr(settings, "INCIDENTS_FOLLOWUP_REMIND_BEFORE_HOURS", 1))


def escalate_after():
    return sla.hours(getattr(settings, "INCIDENTS_FOLLOWUP_ESCALATE_AFTER_HOURS", 2))


def _event(followup, actor, code, params=None, **data):
    if followup.incident_id:
        event_record(incident=followup.incident, kind=EventKind.FOLLOW_UP, actor=actor, code=code, params=params,
                     data={"follow_up_id": followup.pk, **data})


@transaction.atomic
def followup_create(*, actor, title, due_at, assignee=None, incident=None, customer=None, notes="",
                    priority=FollowUpPriority.NORMAL, communication=None, kind=FollowUpKind.CALLBACK):
    """A prevention action (kind=prevention, from the review step) names its owner whoever records it: the
    review decides who removes the cause, so the manager-only rule for assigning does not apply to it."""
    assignee = assignee or actor
    errors = {}
    if not (title or "").strip():
        errors["title"] = _("A title is required.")
    if incident is None and customer is None:
        errors["incident"] = _("A follow-up belongs to an incident or a customer.")
    if assignee is None:
        errors["assignee"] = _("Someone must be assigned.")
    if due_at is None:
        errors["due_at"] = _("A due time is required.")
    elif due_date_error(due_at):
        errors["due_at"] = due_date_error(due_at)
    if priority not in FollowUpPriority.values:
        errors["priority"] = _("'%(v)s' is not a valid choice.") % {"v": priority}
    if errors:
        raise ValidationError(errors)
    if actor is not None:
        if not actor.has_perm("incidents.add_followup"):
            raise PermissionDenied(_("You may not create follow-ups."))
        if (assignee.pk != actor.pk and kind != FollowUpKind.PREVENTION
                and not actor.has_perm("incidents.assign_followup")):
            raise PermissionDenied(_("Only a manager may assign follow-ups to someone else."))
        if incident is not None:
            ensure_can_see_incident(actor, incident)
    followup = FollowUp.objects.create(
        team=incident.team if incident is not None else default_team(assignee),
        title=title.strip(), due_at=due_at, assignee=assignee, assigned_by=actor, incident=incident,
        customer=customer if customer is not None else getattr(incident, "customer", None), notes=notes or "",
        priority=priority, communication=communication, kind=kind,
    )
    _event(followup, actor, "incident.followup.created", {
        "who": person(assignee), "due": timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M"),
        "title": followup.title})
    return followup


def _lock(followup):
    return FollowUp.objects.select_for_update(of=("self",)).select_related("incident").get(pk=followup.pk)


@transaction.atomic
def followup_assign(*, followup, assignee, actor):
    if actor is not None and not actor.has_perm("incidents.assign_followup"):
        raise PermissionDenied(_("Only a manager may assign follow-ups."))
    followup = _lock(followup)
    if followup.status != FollowUpStatus.OPEN:
        raise ValidationError({"status": _("Only an open follow-up can be reassigned.")})
    old = followup.assignee
    followup.assignee, followup.assigned_by = assignee, actor
    followup.reminder_sent_at = None  # the new assignee has not been reminded yet
    followup.save(update_fields=["assignee", "assigned_by", "reminder_sent_at"])
    _event(followup, actor, "incident.followup.reassigned", {"a": person(old), "b": person(assignee)})
    return followup


@transaction.atomic
def followup_complete(*, followup, actor, notes="", cancel=False):
    followup = _lock(followup)
    ensure_can_work_followup(actor, followup)
    if followup.status != FollowUpStatus.OPEN:
        raise ValidationError({"status": _("This follow-up is already %(s)s.") % {"s": followup.get_status_display()}})
    followup.status = FollowUpStatus.CANCELLED if cancel else FollowUpStatus.DONE
    followup.completed_at = timezone.now()
    fields = ["status", "completed_at"]
    if notes:
        followup.notes = f"{followup.notes}\n{notes}".strip()
        fields.append("notes")
    followup.save(update_fields=fields)
    _event(followup, actor, "incident.followup.closed", {"s": followup.status, "title": followup.title},
           notes=notes)
    return followup


def escalation_recipients():
    perm = Permission.objects.filter(content_type__app_label="incidents", codename="review_incident").first()
    if perm is None:
        return []
    users = get_user_model().objects.filter(Q(groups__permissions=perm) | Q(user_permissions=perm), is_active=True)
    return list(users.exclude(email="").distinct().values_list("email", flat=True))


def _mail_later(followup, purpose, subject, body, recipients):
    """Recorded in the caller's transaction (a StaffEmail), delivered by the one mail path's job."""
    staff_email_send(purpose=purpose, subject=subject, body=body, recipients=recipients,
                     incident=followup.incident, followup=followup)


def followups_remind_and_escalate(*, now=None, spec=None):
    """One pass of the scheduled job. Each follow-up is locked and re-checked, so two overlapping runs
    still remind once and escalate once. Returns (reminded, escalated)."""
    now = now or timezone.now()
    spec = spec or sla.load_calendar()
    return followups_remind(now=now, spec=spec), followups_escalate(now=now, spec=spec)


FOLLOWUP_PASS_LIMIT = 5_000


def _due_ids(queryset, *fields):
    # Materialised before the loop: queueing mail (async_task) may close the connection, which would kill an
    # .iterator()'s server-side cursor half-way through the pass. Oldest due first, so a backlog over the limit
    # is worked off in later passes.
    return list(queryset.order_by("due_at", "pk").values_list("pk", *fields)[:FOLLOWUP_PASS_LIMIT])


def followups_remind(*, now=None, spec=None):
    """Reminders of one pass; returns how many were sent."""
    now = now or timezone.now()
    spec = spec or sla.load_calendar()
    # Remaining working time ≤ R  ⇔  due ≤ now + R working time (business time is monotonic).
    remind_until = sla.add_business_time(now, remind_before(), spec)
    reminded = 0
    to_remind = FollowUp.objects.filter(status=FollowUpStatus.OPEN, reminder_sent_at__isnull=True,
                                        due_at__lte=remind_until, due_at__gt=now)
    for (pk,) in _due_ids(to_remind):
        with transaction.atomic():
            fu = FollowUp.objects.select_for_update(of=("self",)).select_related("assignee", "incident").get(pk=pk)
            if fu.status != FollowUpStatus.OPEN or fu.reminder_sent_at is not None:
                continue
            fu.reminder_sent_at = now
            fu.save(update_fields=["reminder_sent_at"])
            _event(fu, None, "incident.followup.reminded", {"who": person(fu.assignee)}, reminder=True)
            _mail_later(fu, StaffEmailPurpose.REMINDER, _("Follow-up due %(due)s: %(title)s") % {
                "due": timezone.localtime(fu.due_at).strftime("%Y-%m-%d %H:%M"), "title": fu.title},
                fu.notes or fu.title, [fu.assignee.email] if fu.assignee.email else [])
            reminded += 1
    return reminded


def followups_escalate(*, now=None, spec=None):
    """Escalations of one pass; returns how many follow-ups were escalated."""
    now = now or timezone.now()
    spec = spec or sla.load_calendar()
    escalated = 0
    overdue = FollowUp.objects.filter(status=FollowUpStatus.OPEN, escalated_at__isnull=True, due_at__lt=now)
    threshold = escalate_after()
    recipients = None
    for pk, due_at in _due_ids(overdue, "due_at"):
        if sla.business_time_between(due_at, now, spec) < threshold:
            continue
        with transaction.atomic():
            fu = FollowUp.objects.select_for_update(of=("self",)).select_related("assignee", "incident").get(pk=pk)
            if fu.status != FollowUpStatus.OPEN or fu.escalated_at is not None:
                continue
            fu.escalated_at = now
            fu.save(update_fields=["escalated_at"])
            _event(fu, None, "incident.followup.escalated", escalated=True)
            if recipients is None:
                recipients = escalation_recipients()
            _mail_later(fu, StaffEmailPurpose.ESCALATION, _("Overdue follow-up of %(who)s: %(title)s") % {
                "who": fu.assignee.get_username(), "title": fu.title},
                _("Was due %(due)s.") % {"due": timezone.localtime(fu.due_at).strftime("%Y-%m-%d %H:%M")},
                recipients)
            escalated += 1
    return escalated
