"""Loading a year's official 放假/调休 notice into the work calendar, and moving the SLA due times it shifts.

The State Council publishes next year's holidays in the autumn; until they are loaded, every due time in the new
year counts a holiday as a working day. A file replaces the days of the years it holds (a corrected notice is
loaded again), all or nothing, and every incident whose SLA window touches a changed day gets its due times again.
"""
import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import sla
from ..models import CalendarDay, CalendarDayKind, Incident, WorkCalendar

# The notice's words and ours, after stripping spaces.
KIND_WORDS = {
    "放假": CalendarDayKind.HOLIDAY, "休": CalendarDayKind.HOLIDAY, "holiday": CalendarDayKind.HOLIDAY,
    "上班": CalendarDayKind.WORKDAY, "班": CalendarDayKind.WORKDAY, "调休上班": CalendarDayKind.WORKDAY,
    "workday": CalendarDayKind.WORKDAY,
}
HEADER = ("date", "kind", "name")


@dataclass
class CalendarLoad:
    years: list
    holidays: int
    workdays: int
    removed: int
    incidents_moved: int
    errors: list = field(default_factory=list)


def parse_calendar_file(text):
    """[(date, kind, name)] from `date,kind,name` rows (a header row is optional); raises ValidationError naming
    every bad line."""
    rows, errors, seen = [], [], set()
    for n, row in enumerate(csv.reader(io.StringIO(text.lstrip("\ufeff"))), start=1):
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if n == 1 and [c.lower() for c in cells[:3]] in (list(HEADER), ["日期", "类型", "名称"]):
            continue
        if len(cells) < 2:
            errors.append(_("Line %(n)d: expected date,kind,name.") % {"n": n})
            continue
        try:
            day = date.fromisoformat(cells[0])
        except ValueError:
            errors.append(_("Line %(n)d: date %(v)s is not YYYY-MM-DD.") % {"n": n, "v": cells[0]})
            continue
        kind = KIND_WORDS.get(cells[1].replace(" ", "").lower()) or KIND_WORDS.get(cells[1].replace(" ", ""))
        if kind is None:
            errors.append(_("Line %(n)d: kind %(v)s is neither 放假 (holiday) nor 上班 (make-up working day).")
                          % {"n": n, "v": cells[1]})
            continue
        if day in seen:
            errors.append(_("Line %(n)d: %(d)s is listed twice.") % {"n": n, "d": day})
            continue
        seen.add(day)
        rows.append((day, kind, cells[2] if len(cells) > 2 else ""))
    if not rows and not errors:
        errors.append(_("The file lists no days."))
    if errors:
        raise ValidationError(errors)
    return rows


@transaction.atomic
def calendar_load(*, rows, calendar=None):
    """Replace the days of the years in `rows` and move the due times of the incidents the change touches."""
    calendar = calendar or WorkCalendar.objects.select_for_update().filter(is_default=True).first()
    if calendar is None:
        raise ValidationError({"calendar": _("There is no default work calendar.")})
    calendar = WorkCalendar.objects.select_for_update().get(pk=calendar.pk)
    years = sorted({day.year for day, _kind, _name in rows})
    before = {d: k for d, k in CalendarDay.objects.filter(calendar=calendar, date__year__in=years)
              .values_list("date", "kind")}
    removed, _detail = CalendarDay.objects.filter(calendar=calendar, date__year__in=years).delete()
    CalendarDay.objects.bulk_create([CalendarDay(calendar=calendar, date=d, kind=k, name=name[:100])
                                     for d, k, name in rows])
    after = {d: k for d, k, _name in rows}
    changed = {d for d in set(before) | set(after) if before.get(d) != after.get(d)}
    moved = _move_due_times(changed, calendar) if changed else 0
    return CalendarLoad(years=years, holidays=sum(k == CalendarDayKind.HOLIDAY for k in after.values()),
                        workdays=sum(k == CalendarDayKind.WORKDAY for k in after.values()), removed=removed,
                        incidents_moved=moved)


def _move_due_times(changed, calendar):
    if not calendar.is_default:
        return 0  # SLAs count the default calendar only
    tz = timezone.get_current_timezone()
    first = datetime.combine(min(changed), time.min, tzinfo=tz)
    last = datetime.combine(max(changed), time.max, tzinfo=tz)
    spec = sla.load_calendar(calendar)
    touched = Incident.objects.filter(detected_at__lte=last, resolve_due_at__gte=first).only(
        "pk", "severity", "detected_at", "response_due_at", "resolve_due_at")
    moved = []
    for incident in touched.iterator(chunk_size=2000):
        response, resolve = sla.due_times(incident.severity, incident.detected_at, spec)
        if (response, resolve) != (incident.response_due_at, incident.resolve_due_at):
            incident.response_due_at, incident.resolve_due_at = response, resolve
            moved.append(incident)
    Incident.objects.bulk_update(moved, ["response_due_at", "resolve_due_at"], batch_size=1000)
    return len(moved)


def next_year_missing(today=None):
    """The coming year when it is December and the default calendar holds none of its days, else None."""
    today = today or timezone.localdate()
    if today.month != 12:
        return None
    year = today.year + 1
    calendar = WorkCalendar.objects.filter(is_default=True).first()
    if calendar is None or CalendarDay.objects.filter(calendar=calendar, date__year=year).exists():
        return None
    return year
