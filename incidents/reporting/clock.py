"""Business-hours durations for many incidents at once.

sla.business_time_between walks the days of each interval; a report over tens of thousands of incidents instead
keeps one table of working seconds before each day (local day number since 1970) and answers every interval
with two lookups in plain float arithmetic on POSIX timestamps. The business zone (Asia/Shanghai) keeps one
UTC offset all year, which this relies on: the offset is taken once."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from .. import sla

EPOCH = date(1970, 1, 1)
DAY = 86400.0


class BusinessClock:
    def __init__(self, spec=None):
        self.spec = spec or sla.load_calendar()
        tz = ZoneInfo(settings.TIME_ZONE)
        self.offset = timezone.now().astimezone(tz).utcoffset().total_seconds()
        start, end = self.spec.day_start, self.spec.day_end
        self.opens = start.hour * 3600 + start.minute * 60 + start.second
        self.closes = end.hour * 3600 + end.minute * 60 + end.second
        self._first = None  # local day number of self._cum[0]
        self._cum = []  # working seconds from self._first up to the start of each day
        self._working = []

    def _before(self, day_no):
        if self._first is None or day_no < self._first:
            self._first, self._cum, self._working = day_no - 31, [0.0], []
        index = day_no - self._first
        while len(self._cum) <= index + 1:
            n = len(self._cum) - 1
            working = self.spec.is_working_day(EPOCH + timedelta(days=self._first + n))
            self._working.append(working)
            self._cum.append(self._cum[-1] + (self.closes - self.opens if working else 0.0))
        return index

    def at(self, ts):
        """Working seconds from the table's origin up to the POSIX time `ts` (called per timestamp: kept lean)."""
        local = ts + self.offset
        day_no = int(local // DAY)
        index = day_no - self._first if self._first is not None else -1
        if index < 0 or index + 1 >= len(self._cum):
            index = self._before(day_no)
        seconds = self._cum[index]
        if self._working[index]:
            into = local - day_no * DAY
            if into > self.opens:
                seconds += (into if into < self.closes else self.closes) - self.opens
        return seconds

    def between(self, start_ts, end_ts):
        """Working seconds between two POSIX times (never negative; None when either is missing)."""
        if start_ts is None or end_ts is None:
            return None
        if end_ts <= start_ts:
            return 0.0
        start = self.at(start_ts)  # first: it may move the table's origin back, which at(end) then shares
        return self.at(end_ts) - start

    def seconds(self, start: datetime, end: datetime):
        if start is None or end is None:
            return 0.0
        return self.between(start.timestamp(), end.timestamp()) or 0.0

    def local_date(self, ts):
        return EPOCH + timedelta(days=int((ts + self.offset) // DAY))


def mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None
