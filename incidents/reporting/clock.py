"""Business-hours durations for many incidents at once.

sla.business_time_between walks the days of each interval; a report over thousands of incidents instead
builds one table of working seconds before each day and answers every interval in constant time."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

from ..services import sla


class BusinessClock:
    def __init__(self, spec=None):
        self.spec = spec or sla.load_calendar()
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self._first = None
        self._cum = []
        self._day_len = (datetime.combine(datetime.min, self.spec.day_end)
                         - datetime.combine(datetime.min, self.spec.day_start)).total_seconds()

    def _before(self, day):
        """Working seconds from the table's origin up to the start of `day`."""
        if self._first is None or day < self._first:
            self._first, self._cum = day - timedelta(days=31), [0.0]
        index = (day - self._first).days
        while len(self._cum) <= index:
            d = self._first + timedelta(days=len(self._cum) - 1)
            self._cum.append(self._cum[-1] + (self._day_len if self.spec.is_working_day(d) else 0.0))
        return self._cum[index]

    def _at(self, moment):
        local = moment.astimezone(self.tz)
        day = local.date()
        seconds = self._before(day)
        if self.spec.is_working_day(day):
            opens, closes = self.spec._window(day)
            seconds += (min(max(local, opens), closes) - opens).total_seconds()
        return seconds

    def seconds(self, start, end):
        """Working seconds from start to end (never negative)."""
        if start is None or end is None or end <= start:
            return 0.0
        start_at = self._at(start)  # first: it may move the table's origin back, which _at(end) then shares
        return self._at(end) - start_at


def mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None
