"""The django-q2 Schedule rows the incident desk needs. Created by migration 0003 and again (idempotently)
by `incidents.demo.seed`, so a fresh database and a demo database both run the job. Each names a registered job
(incidents/jobs.py) through the spine's one stable task path, never a module path."""
from core.jobs.schedules import RUN_SCHEDULED, scheduled_args

TICK_NAME = "incidents: follow-up reminders, escalation, email retries"
TICK_FUNC = RUN_SCHEDULED
TICK_JOB = "incidents.tick"
TICK_MINUTES = 5


def ensure_schedules(schedule_model=None):
    if schedule_model is None:
        from django_q.models import Schedule as schedule_model
    _obj, created = schedule_model.objects.update_or_create(
        name=TICK_NAME,
        defaults={"func": TICK_FUNC, "args": scheduled_args(TICK_JOB), "schedule_type": "I", "minutes": TICK_MINUTES,
                  "repeats": -1},
    )
    return created


# Management reports (issue 20): built and emailed to the managers at 09:00 Asia/Shanghai, last week's every
# Monday and last month's on the 1st. django-q2's weekly/monthly types keep the first run's local time.
REPORT_SCHEDULES = (
    ("incidents: weekly management report (last week)", "weekly", "W"),
    ("incidents: monthly management report (last month)", "monthly", "M"),
)
REPORT_FUNC = RUN_SCHEDULED
REPORT_JOB = "incidents.periodic_report"


def first_report_run(kind, now=None):
    """The next Monday 09:00 (weekly) or 1st 09:00 (monthly), local time, after `now`."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.utils import timezone

    tz = ZoneInfo(settings.TIME_ZONE)
    now = timezone.localtime(now or timezone.now(), tz)
    if kind == "weekly":
        day = now.date() + timedelta(days=(7 - now.weekday()) % 7)
    else:
        day = now.date().replace(day=1)
    run = datetime.combine(day, time(9, 0), tzinfo=tz)
    while run <= now:
        if kind == "weekly":
            run += timedelta(days=7)
        else:
            run = run.replace(year=run.year + (run.month == 12), month=run.month % 12 + 1)
    return run


def ensure_report_schedules(schedule_model=None, now=None):
    if schedule_model is None:
        from django_q.models import Schedule as schedule_model
    for name, kind, schedule_type in REPORT_SCHEDULES:
        schedule_model.objects.get_or_create(name=name, defaults={
            "func": REPORT_FUNC, "args": scheduled_args(REPORT_JOB, kind=kind), "schedule_type": schedule_type,
            "repeats": -1, "next_run": first_report_run(kind, now),
        })
