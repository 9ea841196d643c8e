"""The periods a manager reports on: a calendar month (2026-11), an ISO week (2026-W48), or the last N days.
Bounds are local midnights in the business zone; `end` is exclusive."""
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
LAST_DAYS = (7, 30, 90)


def midnight(day):
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(settings.TIME_ZONE))


@dataclass(frozen=True)
class Period:
    key: str
    first_day: date
    last_day: date  # inclusive

    @property
    def start(self):
        return midnight(self.first_day)

    @property
    def end(self):
        return midnight(self.last_day + timedelta(days=1))

    @property
    def days(self):
        return (self.last_day - self.first_day).days + 1

    @property
    def bucket(self):
        """Charts show days up to a month and weeks beyond."""
        return "day" if self.days <= 31 else "week"

    @property
    def label(self):
        return f"{self.first_day:%Y-%m-%d} – {self.last_day:%Y-%m-%d}"

    def previous(self):
        if MONTH.match(self.key):
            return parse_period(f"{self.first_day - timedelta(days=1):%Y-%m}")
        length = timedelta(days=self.days)
        return Period(f"prev:{self.key}", self.first_day - length, self.last_day - length)

    def buckets(self):
        """The first day of every bucket in the period, so empty ones are shown as empty."""
        if self.bucket == "day":
            return [self.first_day + timedelta(days=i) for i in range(self.days)]
        monday = self.first_day - timedelta(days=self.first_day.weekday())
        out = []
        while monday <= self.last_day:
            out.append(monday)
            monday += timedelta(days=7)
        return out


def parse_period(value, *, today=None):
    """'2026-11', '2026-W48' or '7'/'30'/'90' (the last N days up to today). Bad input: ValidationError naming
    the field and the accepted forms."""
    value = (value or "").strip()
    today = today or timezone.localdate()
    if m := MONTH.match(value):
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12 and 2000 <= year <= 2100:
            first = date(year, month, 1)
            nxt = date(year + (month == 12), month % 12 + 1, 1)
            return Period(value, first, nxt - timedelta(days=1))
    elif m := WEEK.match(value):
        try:
            first = date.fromisocalendar(int(m[1]), int(m[2]), 1)
        except ValueError:
            pass
        else:
            return Period(value, first, first + timedelta(days=6))
    elif value.isdigit() and int(value) in LAST_DAYS:
        n = int(value)
        return Period(value, today - timedelta(days=n - 1), today)
    raise ValidationError({"period": _("Give a month as 2026-11, a week as 2026-W48, or 7, 30 or 90 days.")})


def last_month(today=None):
    today = today or timezone.localdate()
    return parse_period(f"{today.replace(day=1) - timedelta(days=1):%Y-%m}")


def last_week(today=None):
    today = today or timezone.localdate()
    year, week, _day = (today - timedelta(days=7)).isocalendar()
    return parse_period(f"{year}-W{week:02d}")
