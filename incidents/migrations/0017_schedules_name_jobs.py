"""Schedules name registered jobs (core/jobs) through the spine's one task path. No table changes."""
from django.db import migrations

from core.jobs.schedules import RUN_SCHEDULED, scheduled_args
from incidents.schedules import REPORT_JOB, REPORT_SCHEDULES, TICK_JOB, TICK_NAME


def forward(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.filter(name=TICK_NAME).update(func=RUN_SCHEDULED, args=scheduled_args(TICK_JOB))
    for name, kind, _type in REPORT_SCHEDULES:
        Schedule.objects.filter(name=name).update(func=RUN_SCHEDULED, args=scheduled_args(REPORT_JOB, kind=kind))


def backward(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.filter(name=TICK_NAME).update(func="incidents.tasks.tick", args=None)
    for name, kind, _type in REPORT_SCHEDULES:
        Schedule.objects.filter(name=name).update(func="incidents.tasks.send_periodic_report", args=repr(kind))


class Migration(migrations.Migration):
    dependencies = [("incidents", "0016_event_message_codes"), ("core", "0002_job_roles_and_sweep")]

    operations = [migrations.RunPython(forward, backward)]
