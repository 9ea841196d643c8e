"""The one SLA-breach rule. The model's methods, the desk, the admin list filter, the API (its flags and its
`breached` filter), the home page, the dashboard and the periodic report all read it from here.

An incident carries two targets, each a due time counted in business hours (incidents/sla.py) when it opens or
its severity or detection time changes:

- **response**: met at the first response (`first_response_at`). An incident resolved or closed with no response
  recorded counts as answered when it was resolved (or closed): resolving it answered the customer.
- **resolution**: met when the incident is resolved (`resolved_at`). An incident closed with no resolution time
  counts as ended when it was closed (`closed_at`; the database requires one on every closed incident). Reopening
  or a review sent back clears `resolved_at`, so the incident runs against its due time again.

A target is **missed** when it was met later than its due time, or when it is not met yet and `now` is later than
its due time. Met exactly at the due time is within target; a target without a due time is never missed. An
incident **breached its SLA** when it missed either target. A target is **met** when it was met at or before its
due time; met and missed are exclusive, and a target that is neither is still running (the dashboard's
attainment is met / (met + missed)).

Each target is one line of TARGETS: its due field and the fields that end it, first found wins. The query
expressions (`missed_q`, `met_q`, `breached_q`) and the per-instance reading (`missed`) are both built from that
line, and tests/incidents/test_sla_rule.py holds them to the same answers on every boundary."""
import operator
from functools import reduce

from django.db.models import F, Q
from django.utils import timezone

RESPONSE, RESOLUTION = "response", "resolution"
TARGETS = {
    RESPONSE: ("response_due_at", ("first_response_at", "resolved_at", "closed_at")),
    RESOLUTION: ("resolve_due_at", ("resolved_at", "closed_at")),
}


def _first_set(ends, i):
    """The condition "the i-th end field is the one that counts": every earlier one is empty."""
    return {f"{field}__isnull": True for field in ends[:i]}


def missed_q(target, now):
    due, ends = TARGETS[target]
    late = Q(**{f"{due}__lt": now}, **_first_set(ends, len(ends)))
    for i, field in enumerate(ends):
        late |= Q(**_first_set(ends, i), **{f"{field}__gt": F(due)})
    return late


def met_q(target):
    due, ends = TARGETS[target]
    return reduce(operator.or_, (Q(**_first_set(ends, i), **{f"{field}__lte": F(due)})
                                 for i, field in enumerate(ends)))


def breached_q(now):
    """Incidents that missed their response or their resolution target, as of `now`."""
    return missed_q(RESPONSE, now) | missed_q(RESOLUTION, now)


def ended_at(incident, target):
    """When the target was met (in time or late), or None while it is running."""
    _due, ends = TARGETS[target]
    return next((value for value in (getattr(incident, field) for field in ends) if value is not None), None)


def missed(incident, target, now=None):
    """`missed_q` for one incident already in memory."""
    due = getattr(incident, TARGETS[target][0])
    if due is None:
        return False
    end = ended_at(incident, target)
    return end > due if end is not None else (now or timezone.now()) > due
