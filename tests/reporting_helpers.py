"""Helpers for the management-reporting tests (issue 20): root-cause categories and resolving incidents."""
from incidents.models import RootCauseCategory


def cause(code="data_entry"):
    """A seeded root-cause category (incidents/migrations/0010)."""
    return RootCauseCategory.objects.get(code=code)


# --- a hand-built October 2026 (国庆节 holidays 10-01…10-07, 调休 working Saturday 10-10) -------------------------
from datetime import datetime  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from incidents import sla  # noqa: E402
from incidents.models import FollowUp, FollowUpStatus, Incident, IncidentStatus, Severity  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 5, 12, 0, tzinfo=TZ)


def at(month, day, hour, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


def incident_at(*, owner, severity, detected, fault=None, first=None, resolved=None, cause_code=None, team=None,
                title="发票查不到"):
    """An incident with the given history. The times are written directly: services stamp `now`, and this story
    happened in October."""
    from .incident_helpers import open_incident

    incident = open_incident(owner, severity=severity, title=title, team=team)
    response_due, resolve_due = sla.due_times(severity, detected)
    Incident.objects.filter(pk=incident.pk).update(
        created_at=detected, detected_at=detected, fault_started_at=fault, first_response_at=first,
        resolved_at=resolved, response_due_at=response_due, resolve_due_at=resolve_due,
        status=IncidentStatus.RESOLVED if resolved else IncidentStatus.INVESTIGATING,
        root_cause_category=cause(cause_code) if cause_code else None,
        root_cause="原因" if resolved else "", resolution="处理" if resolved else "",
    )
    incident.refresh_from_db()
    return incident


def october(cs, cs2):
    """A: normal day, within SLA. B: opened 09-30, resolved on the 调休 Saturday after 国庆. C: opened on a holiday,
    answered after it, resolution target missed. D: response target missed."""
    a = incident_at(owner=cs, severity=Severity.SEV3, detected=at(10, 8, 10), fault=at(10, 8, 9, 30),
                    first=at(10, 8, 11), resolved=at(10, 9, 11), cause_code="data_entry")
    b = incident_at(owner=cs, severity=Severity.SEV3, detected=at(9, 30, 17), first=at(9, 30, 17, 30),
                    resolved=at(10, 10, 10), cause_code="platform_fault")
    c = incident_at(owner=cs, severity=Severity.SEV2, detected=at(10, 1, 10), first=at(10, 8, 10))
    d = incident_at(owner=cs2, severity=Severity.SEV1, detected=at(10, 12, 9), first=at(10, 12, 11),
                    resolved=at(10, 12, 12), cause_code="data_entry")
    followups = [
        (cs, at(10, 15, 10), at(10, 15, 9), FollowUpStatus.DONE),
        (cs, at(10, 20, 10), at(10, 21, 9), FollowUpStatus.DONE),
        (cs2, at(10, 25, 10), None, FollowUpStatus.OPEN),
    ]
    for user, due, done, status in followups:
        FollowUp.objects.create(incident=a, title="回访", assignee=user, due_at=due, completed_at=done, status=status)
    return {"a": a, "b": b, "c": c, "d": d}
