"""SLA in business hours across 2025's National Day holiday and its 调休 make-up working days."""
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from incidents import sla
from incidents.models import CalendarDay, SlaTarget, WorkCalendar

from ..incident_helpers import open_incident

SH = ZoneInfo("Asia/Shanghai")


pytestmark = pytest.mark.usefixtures("no_reference_data")


def at(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def calendar(db):
    cal = WorkCalendar.objects.create(name="CN", is_default=True)
    for d in range(1, 9):
        CalendarDay.objects.create(calendar=cal, date=date(2025, 10, d), kind="holiday", name="国庆节")
    CalendarDay.objects.create(calendar=cal, date=date(2025, 9, 28), kind="workday", name="调休")
    CalendarDay.objects.create(calendar=cal, date=date(2025, 10, 11), kind="workday", name="调休")
    return cal


def test_make_up_sunday_counts_as_working_day(calendar):
    spec = sla.load_calendar()
    # Friday 17:00 + 4h: one hour on Friday, Saturday off, Sunday 28 Sep is a make-up day: 9:00 + 3h.
    assert sla.add_business_time(at(2025, 9, 26, 17), timedelta(hours=4), spec) == at(2025, 9, 28, 12)


def test_holiday_week_is_skipped(calendar):
    spec = sla.load_calendar()
    # Tuesday 30 Sep 17:00 + 2h: one hour that day, 1–8 Oct are holidays, 9 Oct 9:00 + 1h.
    assert sla.add_business_time(at(2025, 9, 30, 17), timedelta(hours=2), spec) == at(2025, 10, 9, 10)
    assert sla.business_time_between(at(2025, 9, 30, 17), at(2025, 10, 9, 10), spec) == timedelta(hours=2)
    # Friday 10 Oct 17:30 + 1h ends on the make-up Saturday 11 Oct.
    assert sla.add_business_time(at(2025, 10, 10, 17, 30), timedelta(hours=1), spec) == at(2025, 10, 11, 9, 30)


def test_without_calendar_exceptions_weekends_are_off(db):
    spec = sla.load_calendar()  # no calendar rows: Monday–Friday 9–18
    assert sla.add_business_time(at(2025, 9, 26, 17), timedelta(hours=4), spec) == at(2025, 9, 29, 12)
    # Starting before opening counts from 9:00; a 9-hour target fills exactly one day.
    assert sla.add_business_time(at(2025, 9, 29, 7), timedelta(hours=9), spec) == at(2025, 9, 29, 18)


def test_incident_due_times_use_targets_and_calendar(calendar):
    SlaTarget.objects.create(severity="sev2", response_hours=Decimal("2"), resolution_hours=Decimal("10"))
    incident = open_incident(severity="sev2", detected_at=at(2025, 9, 30, 17))
    # Response: 1h on 30 Sep + 1h on 9 Oct. Resolution: 1h on 30 Sep + the full 9h of 9 Oct.
    assert incident.response_due_at == at(2025, 10, 9, 10)
    assert incident.resolve_due_at == at(2025, 10, 9, 18)
    assert incident.response_breached(now=at(2025, 10, 9, 11))
    assert not incident.response_breached(now=at(2025, 10, 8, 17))
