"""The django-q2 Schedule rows the incident desk needs. Created by migration 0003 and again (idempotently)
by `incidents.demo.seed`, so a fresh database and a demo database both run the job."""

TICK_NAME = "incidents: follow-up reminders, escalation, email retries"
TICK_FUNC = "incidents.tasks.tick"
TICK_MINUTES = 5


def ensure_schedules(schedule_model=None):
    if schedule_model is None:
        from django_q.models import Schedule as schedule_model
    _obj, created = schedule_model.objects.update_or_create(
        name=TICK_NAME,
        defaults={"func": TICK_FUNC, "schedule_type": "I", "minutes": TICK_MINUTES, "repeats": -1},
    )
    return created
