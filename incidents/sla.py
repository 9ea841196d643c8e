"""Business-hours arithmetic on a WorkCalendar.

A day is a working day when it is entered as a make-up working day (调休), or when it is a working weekday
that is not entered as a public holiday. Working time runs from day_start to day_end in the business zone.
Calendars are small (a few dozen exception days a year), so the whole calendar is loaded once per call
site and the arithmetic runs in Python without further queries."""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from .models import CalendarDay, CalendarDayKind, Severity, SlaTarget, WorkCalendar

# Used when no SlaTarget row exists for a severity: (response, resolution) in business hours.
DEFAULT_TARGETS = {
    Severity.SEV1: (Decimal("1"), Decimal("4")),
    Severity.SEV2: (Decimal("2"), Decimal("9")),
    Severity.SEV3: (Decimal("4"), Decimal("27")),
    Severity.SEV4: (Decimal("9"), Decimal("45")),
}
# Ten years of days: a bound for the day walk, far beyond any target.
MAX_DAYS = 3660


@dataclass(frozen=True)
class CalendarSpec:
    day_start: time = time(9, 0)
    day_end: time = time(18, 0)
    weekdays: frozenset = frozenset({1, 2, 3, 4, 5})
    holidays: frozenset = field(default_factory=frozenset)
    workdays: frozenset = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.isoweekday() in self.weekdays

    def _window(self, day):
        tz = ZoneInfo(settings.TIME_ZONE)
        return datetime.combine(day, self.day_start, tzinfo=tz), datetime.combine(day, self.day_end, tzinfo=tz)


def load_calendar(calendar=None) -> CalendarSpec:
    """The given calendar, else the default one, else Monday–Friday 9:00–18:00 with no exceptions."""
    if calendar is None:
        calendar = WorkCalendar.objects.filter(is_default=True).first()
    if calendar is None:
        return CalendarSpec()
    days = CalendarDay.objects.filter(calendar=calendar).values_list("date", "kind")
    holidays = frozenset(d for d, k in days if k == CalendarDayKind.HOLIDAY)
    workdays = frozenset(d for d, k in days if k == CalendarDayKind.WORKDAY)
    return CalendarSpec(calendar.day_start, calendar.day_end, frozenset(calendar.weekday_set()), holidays, workdays)


def add_business_time(start: datetime, delta: timedelta, spec: CalendarSpec) -> datetime:
    """The moment when `delta` of working time has passed after `start`."""
    if delta <= timedelta(0):
        return start
    remaining = delta
    cursor = timezone.localtime(start, ZoneInfo(settings.TIME_ZONE))
    day = cursor.date()
    for _ in range(MAX_DAYS):
        if spec.is_working_day(day):
            opens, closes = spec._window(day)
            begin = max(cursor, opens)
            if begin < closes:
                available = closes - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += timedelta(days=1)
    raise ValueError("Business-time target lies beyond the calendar bound.")


def business_time_between(start: datetime, end: datetime, spec: CalendarSpec) -> timedelta:
    """Working time from start to end (negative when end is before start)."""
    if end < start:
        return -business_time_between(end, start, spec)
    tz = ZoneInfo(settings.TIME_ZONE)
    start, end = timezone.localtime(start, tz), timezone.localtime(end, tz)
    total = timedelta(0)
    day = start.date()
    while day <= end.date():
        if spec.is_working_day(day):
            opens, closes = spec._window(day)
            begin, finish = max(start, opens), min(end, closes)
            if finish > begin:
                total += finish - begin
        day += timedelta(days=1)
    return total


def hours(value) -> timedelta:
    return timedelta(seconds=int(Decimal(value) * 3600))


def targets_for(severity):
    target = SlaTarget.objects.filter(severity=severity).first()
    if target is not None:
        return target.response_hours, target.resolution_hours
    return DEFAULT_TARGETS[Severity(severity)]


def due_times(severity, start, spec=None):
    """(response_due_at, resolve_due_at) for an incident of this severity detected at `start`."""
    spec = spec or load_calendar()
    response, resolution = targets_for(severity)
    return add_business_time(start, hours(response), spec), add_business_time(start, hours(resolution), spec)
