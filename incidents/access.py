"""Object-level rules shared by services, admin and API: who sees and works which row.

Model permissions say what a role may do at all; these say on which rows.
- Teams (incidents.Team, members = users): a user without `incidents.view_every_team` (a rep, 客服) sees only
  incidents of their teams plus the shared queue (incidents with no team yet), and follow-ups of their teams,
  of the shared queue, or assigned to them. Managers and finance hold `view_every_team`.
- Within what they see, a rep works incidents that are theirs or still unowned and follow-ups assigned to
  them; `work_any_incident` (managers) and `assign_followup` lift those limits.
- `None` as the user is the system itself (signal receivers, scheduled jobs): it sees and works everything.

The same rules as queryset filters (`visible_*`) are in incidents/selectors.py, which admin and API querysets
read through; the services call `ensure_can_*` here. One rule in two shapes, so the three never disagree."""
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from .models import Team


def sees_every_team(user):
    return user is None or user.has_perm("incidents.view_every_team")


def team_ids(user):
    """The user's team ids, cached on the user object for the request (one query)."""
    if user is None or not getattr(user, "pk", None):
        return frozenset()
    cached = getattr(user, "_incident_team_ids", None)
    if cached is None:
        cached = frozenset(user.teams.values_list("pk", flat=True))
        user._incident_team_ids = cached
    return cached


def default_team(user):
    """The team a rep's new incident or follow-up belongs to: their first team (by id), or none."""
    ids = team_ids(user)
    if not ids:
        return None
    return Team.objects.get(pk=min(ids))


def can_see_incident(user, incident):
    return sees_every_team(user) or incident.team_id is None or incident.team_id in team_ids(user)


def can_see_followup(user, followup):
    return (sees_every_team(user) or followup.team_id is None or followup.team_id in team_ids(user)
            or followup.assignee_id == user.pk)


def ensure_can_see_incident(user, incident):
    if not can_see_incident(user, incident):
        raise PermissionDenied(_("This incident belongs to another team."))


def ensure_team_allowed(user, team):
    """A rep may put work only into their own teams (or leave it in the shared queue)."""
    if team is not None and not sees_every_team(user) and team.pk not in team_ids(user):
        raise ValidationError({"team": _("You may only choose one of your own teams.")})


def can_work_incident(user, incident):
    if user is None:
        return True  # the system itself (signal receivers, scheduled jobs)
    if not user.has_perm("incidents.change_incident"):
        return False
    if not can_see_incident(user, incident):
        return False
    if user.has_perm("incidents.work_any_incident"):
        return True
    return incident.owner_id in (None, user.pk)


def ensure_can_work_incident(user, incident):
    if not can_see_incident(user, incident):
        raise PermissionDenied(_("This incident belongs to another team."))
    if not can_work_incident(user, incident):
        raise PermissionDenied(_("You may only work on incidents you own or that have no owner yet."))


def can_work_followup(user, followup):
    if user is None:
        return True
    if not user.has_perm("incidents.change_followup"):
        return False
    if not can_see_followup(user, followup):
        return False
    return user.has_perm("incidents.assign_followup") or followup.assignee_id == user.pk


def ensure_can_work_followup(user, followup):
    if not can_work_followup(user, followup):
        raise PermissionDenied(_("Only the assignee or a manager may change this follow-up."))
