"""One SLA-breach rule (incidents/models/sla_breach.py): incidents on every boundary of the business calendar (the end
of the working day, a public holiday, 调休 make-up days), closed without a resolution time, reopened, resolved
without a response recorded, due exactly now; the desk, the admin list filter and column, the API, the dashboard
and the report all name the same breaches, and the same ones this file expects by hand."""
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from unittest import mock
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from incidents import sla
from incidents.models import CalendarDay, Incident, IncidentStatus, Severity, SlaTarget, WorkCalendar
from incidents.models.sla_breach import RESOLUTION, RESPONSE, breached_q, met_q, missed_q
from incidents.reporting.content import build_sections
from incidents.reporting.metrics import Metrics
from incidents.reporting.periods import parse_period

from ..incident_helpers import open_incident

pytestmark = pytest.mark.usefixtures("no_reference_data")

SH = ZoneInfo("Asia/Shanghai")
# Monday after 2025's National Day: 10-01…10-08 off, Sunday 09-28 and Saturday 10-11 worked (调休).
NOW = datetime(2025, 10, 13, 10, 0, tzinfo=SH)
TODAY = date(2025, 10, 13)


def at(month, day, hour, minute=0):
    return datetime(2025, month, day, hour, minute, tzinfo=SH)


@dataclass
class Case:
    name: str
    detected: datetime
    status: str
    first: datetime = None
    resolved: datetime = None
    closed: datetime = None
    response_missed: bool = False
    resolution_missed: bool = False
    no_targets: bool = False


S = IncidentStatus
# Targets: response 1 business hour, resolution 4. Due times in the comments.
CASES = [
    # Tue 17:30, half an hour before the day ends: due 10-09 9:30 / 12:30 (the holiday week skipped).
    Case("before-day-end", at(9, 30, 17, 30), S.RESOLVED, first=at(10, 9, 9, 30), resolved=at(10, 9, 12, 31),
         resolution_missed=True),
    # Tue 18:00, the day over: due 10-09 10:00 / 13:00; resolved on the minute, closed later (resolved counts).
    Case("after-day-end", at(9, 30, 18, 0), S.CLOSED, first=at(10, 9, 9, 45), resolved=at(10, 9, 13, 0),
         closed=at(10, 10, 10, 0)),
    # Opened on a public holiday: due 10-09 10:00 / 13:00, never answered.
    Case("holiday", at(10, 3, 10, 0), S.NEW, response_missed=True, resolution_missed=True),
    # Fri 17:30: the make-up Sunday 09-28 is worked, due 09-28 9:30 / 12:30; resolved on Monday is late (it would
    # be in time if the calendar forgot the 调休 day).
    Case("makeup-sunday", at(9, 26, 17, 30), S.RESOLVED, first=at(9, 28, 9, 20), resolved=at(9, 29, 9, 10),
         resolution_missed=True),
    # Fri 17:59: due on the make-up Saturday 10-11 9:59 / 12:59; closed without a resolution time at 13:30.
    Case("closed-without-resolution", at(10, 10, 17, 59), S.CLOSED, first=at(10, 11, 9, 59),
         closed=at(10, 11, 13, 30), resolution_missed=True),
    # Fri 18:01: due 10-11 10:00 / 13:00; closed at 9:50 with nothing else recorded: both targets met by closing.
    Case("closed-early-nothing-recorded", at(10, 10, 18, 1), S.CLOSED, closed=at(10, 11, 9, 50)),
    # Opened on the make-up Saturday at 17:30: half an hour that day, Sunday off, due Monday 9:30 / 12:30.
    Case("makeup-saturday", at(10, 11, 17, 30), S.WAITING_CUSTOMER, response_missed=True),
    # Reopened (resolved_at cleared): runs against its due time again, 10-09 13:00 has passed.
    Case("reopened", at(10, 9, 9, 0), S.INVESTIGATING, first=at(10, 9, 9, 30), resolution_missed=True),
    # Resolved at 15:30 with no response recorded: the resolution answered the customer, after the 15:00 due time.
    Case("resolved-unanswered", at(10, 9, 14, 0), S.RESOLVED, resolved=at(10, 9, 15, 30), response_missed=True),
    # Due exactly now (10:00): not late yet.
    Case("due-now", at(10, 13, 9, 0), S.NEW),
    # Still running: due 10:30 / 13:30.
    Case("running", at(10, 13, 9, 30), S.INVESTIGATING),
    # No due times were ever computed: never breached.
    Case("no-targets", at(9, 1, 10, 0), S.NEW, no_targets=True),
]


@pytest.fixture
def calendar(db):
    cal = WorkCalendar.objects.create(name="CN", is_default=True)
    for day in range(1, 9):
        CalendarDay.objects.create(calendar=cal, date=date(2025, 10, day), kind="holiday", name="国庆节")
    for day in (date(2025, 9, 28), date(2025, 10, 11)):
        CalendarDay.objects.create(calendar=cal, date=day, kind="workday", name="国庆节调休")
    SlaTarget.objects.create(severity=Severity.SEV3, response_hours=Decimal("1"), resolution_hours=Decimal("4"))
    return cal


@pytest.fixture
def story(calendar, cs_user, manager_user):
    """{case name: incident}, the times written directly (the services stamp the real now)."""
    out = {}
    for case in CASES:
        incident = open_incident(cs_user, title=case.name)
        response_due, resolve_due = (None, None) if case.no_targets else sla.due_times(Severity.SEV3, case.detected)
        finished = case.status in (S.RESOLVED, S.CLOSED)
        Incident.objects.filter(pk=incident.pk).update(
            created_at=case.detected, detected_at=case.detected, status=case.status,
            first_response_at=case.first, resolved_at=case.resolved, closed_at=case.closed,
            response_due_at=response_due, resolve_due_at=resolve_due,
            reviewed_by=manager_user if case.status == S.CLOSED else None,
            root_cause="录入错误" if finished else "", resolution="已重开" if finished else "",
        )
        incident.refresh_from_db()
        out[case.name] = incident
    return out


@pytest.fixture
def frozen_now():
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield NOW


def expected(story, which):
    flags = {
        RESPONSE: lambda c: c.response_missed,
        RESOLUTION: lambda c: c.resolution_missed,
        "either": lambda c: c.response_missed or c.resolution_missed,
    }[which]
    return {story[c.name].pk for c in CASES if flags(c)}


def test_due_times_follow_the_calendar(story):
    assert (story["before-day-end"].response_due_at, story["before-day-end"].resolve_due_at) == (
        at(10, 9, 9, 30), at(10, 9, 12, 30))
    assert story["after-day-end"].response_due_at == story["holiday"].response_due_at == at(10, 9, 10, 0)
    assert story["makeup-sunday"].resolve_due_at == at(9, 28, 12, 30)
    assert story["closed-without-resolution"].resolve_due_at == at(10, 11, 12, 59)
    assert story["makeup-saturday"].response_due_at == at(10, 13, 9, 30)
    assert story["due-now"].response_due_at == NOW


def test_query_and_instance_read_the_same_rule(story):
    every = Incident.objects.all()
    for target in (RESPONSE, RESOLUTION):
        missed = set(every.filter(missed_q(target, NOW)).values_list("pk", flat=True))
        met = set(every.filter(met_q(target)).values_list("pk", flat=True))
        assert missed == expected(story, target), target
        assert not missed & met, target
    assert set(every.filter(breached_q(NOW)).values_list("pk", flat=True)) == expected(story, "either")
    for case in CASES:
        incident = story[case.name]
        assert incident.response_breached(NOW) == case.response_missed, case.name
        assert incident.resolve_breached(NOW) == case.resolution_missed, case.name
        assert incident.sla_breached(NOW) == (case.response_missed or case.resolution_missed), case.name


def test_desk_list_api_dashboard_and_report_agree(story, frozen_now, client, manager_user, api_as):
    breached = expected(story, "either")
    every = {i.pk for i in story.values()}
    assert len(breached) == 7  # the direct count of the table above
    client.force_login(manager_user)

    # The desk: each incident's page.
    for case in CASES:
        incident = story[case.name]
        desk = client.get(reverse("admin:incidents_incident_change", args=[incident.pk])).context["desk"]
        assert (desk["response_breached"], desk["resolve_breached"]) == (case.response_missed,
                                                                          case.resolution_missed), case.name

    # The admin list: its SLA filter both ways, and its SLA column.
    changelist = reverse("admin:incidents_incident_changelist")

    def listed(query):
        response = client.get(f"{changelist}?{query}")
        assert response.status_code == 200
        return {o.pk for o in response.context["cl"].result_list}, response

    shown, response = listed("sla=breached")
    assert shown == breached
    assert listed("sla=ok")[0] == every - breached
    model_admin = response.context["cl"].model_admin
    assert {i.pk for i in story.values() if "<strong" in model_admin.sla_state(i)} == breached

    # The API: the `breached` filter both ways and each row's flags.
    api = api_as(manager_user)
    rows = {r["id"]: r for r in api.get("/api/v1/incidents/").json()["results"]}
    assert {pk for pk in rows if rows[pk]["response_breached"]} == expected(story, RESPONSE)
    assert {pk for pk in rows if rows[pk]["resolve_breached"]} == expected(story, RESOLUTION)
    assert {r["id"] for r in api.get("/api/v1/incidents/", {"breached": "true"}).json()["results"]} == breached
    assert {r["id"] for r in api.get("/api/v1/incidents/", {"breached": "false"}).json()["results"]} == every - breached

    # The dashboard: its figures, and the list its "SLA breached" tile links to.
    period = parse_period("90", today=TODAY)
    h = Metrics(period=period, now=NOW).headline()
    assert h["opened"] == len(CASES)
    assert h["breached"] == len(breached)
    assert h["response_total"] - h["response_met"] == len(expected(story, RESPONSE))
    assert h["resolve_total"] - h["resolve_met"] == len(expected(story, RESOLUTION))
    client.cookies["django_language"] = "en"  # the language switch
    page = client.get(reverse("admin:incidents_dashboard"), {"period": "90"})
    tile = next(t for t in page.context["tiles"] if t["label"] == "SLA breached")
    assert tile["value"] == len(breached)
    assert listed(urlsplit(tile["url"]).query)[0] == breached

    # The report: its breach section and its headline figure.
    with translation.override("en"):
        sections = {s.key: s for s in build_sections(period=period, now=NOW)}
    assert {row[0] for row in sections["breaches"].rows} == {story[c.name].reference for c in CASES
                                                             if story[c.name].pk in breached}
    missed_labels = {row[0]: row[3] for row in sections["breaches"].rows}
    for case in CASES:
        if story[case.name].pk in breached:
            want = [label for flag, label in ((case.response_missed, "response"),
                                              (case.resolution_missed, "resolution")) if flag]
            assert missed_labels[story[case.name].reference] == " / ".join(want), case.name
    headline = {row[0]: row[1] for row in sections["headline"].rows}
    assert headline["SLA breached"] == len(breached)
