"""2026 中秋节 (Friday 25 September) was missing from the default calendar: add it and give the incidents whose
SLA window spans that day the due times they should have had."""
from datetime import date, datetime, time

from django.conf import settings
from django.db import migrations

DAY = date(2026, 9, 25)


def add_mid_autumn(apps, schema_editor):
    from zoneinfo import ZoneInfo

    from incidents import sla

    WorkCalendar = apps.get_model("incidents", "WorkCalendar")
    CalendarDay = apps.get_model("incidents", "CalendarDay")
    Incident = apps.get_model("incidents", "Incident")
    SlaTarget = apps.get_model("incidents", "SlaTarget")
    calendar = WorkCalendar.objects.filter(is_default=True).first()
    if calendar is None or CalendarDay.objects.filter(calendar=calendar, date=DAY).exists():
        return
    CalendarDay.objects.create(calendar=calendar, date=DAY, kind="holiday", name="中秋节")
    days = list(CalendarDay.objects.filter(calendar=calendar).values_list("date", "kind"))
    spec = sla.CalendarSpec(
        calendar.day_start, calendar.day_end,
        frozenset(int(p) for p in calendar.working_weekdays.split(",") if p.strip()),
        frozenset(d for d, k in days if k == "holiday"), frozenset(d for d, k in days if k == "workday"))
    targets = {t.severity: (t.response_hours, t.resolution_hours) for t in SlaTarget.objects.all()}
    tz = ZoneInfo(settings.TIME_ZONE)
    touched = Incident.objects.filter(detected_at__lte=datetime.combine(DAY, time.max, tzinfo=tz),
                                      resolve_due_at__gte=datetime.combine(DAY, time.min, tzinfo=tz))
    moved = []
    for incident in touched.only("pk", "severity", "detected_at", "response_due_at", "resolve_due_at"):
        response, resolution = targets.get(incident.severity) or sla.DEFAULT_TARGETS[incident.severity]
        due = (sla.add_business_time(incident.detected_at, sla.hours(response), spec),
               sla.add_business_time(incident.detected_at, sla.hours(resolution), spec))
        if due != (incident.response_due_at, incident.resolve_due_at):
            incident.response_due_at, incident.resolve_due_at = due
            moved.append(incident)
    Incident.objects.bulk_update(moved, ["response_due_at", "resolve_due_at"], batch_size=1000)


class Migration(migrations.Migration):

    dependencies = [
        ("incidents", "0020_communication_purpose_one_survey"),
    ]

    operations = [
        migrations.RunPython(add_mid_autumn, migrations.RunPython.noop),
    ]
