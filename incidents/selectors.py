"""Reads shared by admin, API, tasks and the dashboard.

Visibility (the team rule of incidents/access.py, as queryset filters): a user without
`incidents.view_every_team` sees incidents of their teams plus the shared queue (no team yet), follow-ups of
their teams, of the shared queue or assigned to them, communications and timeline events where their incident
is (one without an incident: where its author's teams or the customer's open incidents are). The admin's `get_queryset` methods apply `visible_*` to their own querysets (which carry the admin's
ordering); the API's viewsets read through `incident_list`, `incident_detail`, `communication_list` and
`followup_list`, built on the same functions, so the admin, the API and the services' `can_see_*` never
disagree."""
from datetime import timedelta

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from invoices.ledger.models import InvoiceEvent

from .access import sees_every_team, team_ids
from .models import (
    OPEN_STATUSES,
    Communication,
    FollowUp,
    FollowUpStatus,
    Incident,
    IncidentStatus,
    SatisfactionAnswer,
    Team,
)
from .models.sla_breach import breached_q


def visible_incidents(user, queryset):
    if sees_every_team(user):
        return queryset
    return queryset.filter(Q(team__isnull=True) | Q(team_id__in=team_ids(user)))


def visible_followups(user, queryset):
    if sees_every_team(user):
        return queryset
    return queryset.filter(Q(team__isnull=True) | Q(team_id__in=team_ids(user)) | Q(assignee_id=user.pk))


def visible_communications(user, queryset):
    """Communications about an incident another team handles are that team's business. One logged without an
    incident is seen by its author, the author's teams and the teams of the customer's open incidents."""
    if sees_every_team(user):
        return queryset
    teams = team_ids(user)
    authored_by_team = Exists(Team.members.through.objects.filter(user_id=OuterRef("created_by_id"),
                                                                   team_id__in=teams))
    customer_incident_of_team = Exists(Incident.objects.filter(customer_id=OuterRef("customer_id"),
                                                               status__in=OPEN_STATUSES, team_id__in=teams))
    without_incident = Q(incident__isnull=True) & (Q(created_by_id=user.pk) | authored_by_team
                                                   | customer_incident_of_team)
    return queryset.filter(without_incident | Q(incident__team__isnull=True, incident__isnull=False)
                           | Q(incident__team_id__in=teams))


def visible_incident_events(user, queryset):
    """Timeline events are read where their incident is."""
    if sees_every_team(user):
        return queryset
    return queryset.filter(Q(incident__team__isnull=True) | Q(incident__team_id__in=team_ids(user)))


def incident_list(*, user):
    """The incidents `user` sees, newest first, with what the list shows of customer and owner."""
    return visible_incidents(user, Incident.objects.select_related("customer", "owner").order_by("-id"))


def incident_detail(*, user):
    """`incident_list` with the invoices and the checklist the detail shows."""
    return incident_list(user=user).select_related("satisfaction").prefetch_related("invoices", "steps__done_by")


def communication_list(*, user):
    return visible_communications(
        user, Communication.objects.select_related("created_by").order_by("-occurred_at", "-id"))


def followup_list(*, user):
    return visible_followups(user, FollowUp.objects.select_related("assignee").order_by("due_at", "id"))


def satisfaction_of(incident):
    """The customer's survey answer for this incident, or None."""
    return SatisfactionAnswer.objects.filter(incident=incident).first()


def satisfaction_list(*, user):
    """Survey answers of the incidents the user may see, newest first."""
    return SatisfactionAnswer.objects.filter(incident__in=incident_list(user=user).values("pk")).select_related(
        "incident__team").order_by("-answered_at", "-pk")


# --- home page queues (backoffice/home.py): each one an indexed filter the matching changelist link repeats ---

def my_open_incidents(user):
    """The user's open incidents, the most urgent first: the earliest resolution due (missed ones lead)."""
    return (Incident.objects.filter(owner=user, status__in=OPEN_STATUSES)
            .select_related("customer").order_by(F("resolve_due_at").asc(nulls_last=True), "id"))


def unowned_open_incidents(user):
    """The shared queue: open incidents nobody owns yet, among those the user sees."""
    return visible_incidents(user, Incident.objects.filter(owner__isnull=True, status__in=OPEN_STATUSES))


def my_followups_due_today(user, now):
    return FollowUp.objects.filter(assignee=user, status=FollowUpStatus.OPEN,
                                   due_at__date=timezone.localdate(now), due_at__gte=now)


def my_followups_overdue(user, now):
    return FollowUp.objects.filter(assignee=user, status=FollowUpStatus.OPEN, due_at__lt=now)


def my_callbacks_waiting(user):
    """Callbacks the user promised a customer (follow-ups made from a logged contact) still to be made."""
    return FollowUp.objects.filter(assignee=user, status=FollowUpStatus.OPEN, communication__isnull=False)


def incidents_awaiting_review():
    return Incident.objects.filter(status=IncidentStatus.RESOLVED)


def open_sla_breaches(now):
    return Incident.objects.filter(breached_q(now), status__in=OPEN_STATUSES)


def overdue_followups_by_assignee(now, limit=10):
    """[(assignee id, display name, count)], the longest lists first."""
    rows = (FollowUp.objects.filter(status=FollowUpStatus.OPEN, due_at__lt=now)
            .values("assignee_id", "assignee__username", "assignee__first_name")
            .annotate(n=Count("id")).order_by("-n", "assignee__username")[:limit])
    return [(r["assignee_id"], r["assignee__first_name"] or r["assignee__username"], r["n"]) for r in rows]


# What happened to an incident's invoices shortly before it was opened (the verify that led to it) counts too.
INVOICE_EVENTS_BEFORE = timedelta(days=1)


def incident_invoice_events(incident, limit):
    """Events of the incident's invoices (verify, re-sync, reissue steps) since shortly before it was opened,
    newest first: the incident page shows them on its timeline beside the incident's own events."""
    since = min(incident.created_at, incident.detected_at or incident.created_at) - INVOICE_EVENTS_BEFORE
    return list(InvoiceEvent.objects.filter(invoice__incidents=incident, at__gte=since)
                .select_related("invoice", "actor").order_by("-at", "-id")[:limit])
