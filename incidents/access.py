"""Object-level rules shared by services, admin and API.

Model permissions say what a role may do at all; these say on which rows. A rep (客服) works incidents
that are theirs or still unowned and follow-ups assigned to them; `work_any_incident` (managers) and
`assign_followup` lift those limits."""
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


def can_work_incident(user, incident):
    if user is None:
        return True  # the system itself (signal receivers, scheduled jobs)
    if not user.has_perm("incidents.change_incident"):
        return False
    if user.has_perm("incidents.work_any_incident"):
        return True
    return incident.owner_id in (None, user.pk)


def ensure_can_work_incident(user, incident):
    if not can_work_incident(user, incident):
        raise PermissionDenied(_("You may only work on incidents you own or that have no owner yet."))


def can_work_followup(user, followup):
    if user is None:
        return True
    if not user.has_perm("incidents.change_followup"):
        return False
    return user.has_perm("incidents.assign_followup") or followup.assignee_id == user.pk


def ensure_can_work_followup(user, followup):
    if not can_work_followup(user, followup):
        raise PermissionDenied(_("Only the assignee or a manager may change this follow-up."))
