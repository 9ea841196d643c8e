"""Reads shared by admin, API, tasks and the dashboard.

Visibility (the team rule of incidents/access.py, as queryset filters): a user without
`incidents.view_every_team` sees incidents of their teams plus the shared queue (no team yet), follow-ups of
their teams, of the shared queue or assigned to them, communications and timeline events where their incident
is (one without an incident: where its author's teams or the customer's open incidents are). The admin's `get_queryset` methods apply `visible_*` to their own querysets (which carry the admin's
ordering); the API's viewsets read through `incident_list`, `incident_detail`, `communication_list` and
`followup_list`, built on the same functions, so the admin, the API and the services' `can_see_*` never
disagree."""
from django.db.models import Exists, F, OuterRef, Q

from .access import sees_every_team, team_ids
from .models import OPEN_STATUSES, Communication, FollowUp, Incident, SatisfactionAnswer, Team


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


def breached_q(now):
    """Response or resolution target missed (or already late, for incidents still waiting)."""
    return (
        Q(first_response_at__isnull=True, response_due_at__lt=now)
        | Q(first_response_at__gt=F("response_due_at"))
        | Q(resolved_at__isnull=True, resolve_due_at__lt=now, status__in=OPEN_STATUSES)
        | Q(resolved_at__gt=F("resolve_due_at"))
    )


def satisfaction_of(incident):
    """The customer's survey answer for this incident, or None."""
    return SatisfactionAnswer.objects.filter(incident=incident).first()


def satisfaction_list(*, user):
    """Survey answers of the incidents the user may see, newest first."""
    return SatisfactionAnswer.objects.filter(incident__in=incident_list(user=user).values("pk")).select_related(
        "incident__team").order_by("-answered_at", "-pk")
