"""The platform checks' schedules: hourly (the last days) and nightly at 02:30 (the last weeks); the windows are
settings (PLATFORM_CHECK_HOURLY_DAYS, PLATFORM_CHECK_NIGHTLY_DAYS). Finance and managers read the checks."""
from datetime import datetime, time, timedelta

from django.db import migrations
from django.utils import timezone

from core.jobs.schedules import RUN_SCHEDULED, scheduled_args
from core.roles import grant_role_permissions

HOURLY = "invoices: check the last days against the platform's listing"
NIGHTLY = "invoices: check the last weeks against the platform's listing"


def forward(apps, schema_editor):
    grant_role_permissions(apps, "invoices")  # finance and managers read the checks and their findings
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(name=HOURLY, defaults={
        "func": RUN_SCHEDULED, "args": scheduled_args("reconciliation.platform_checks_hourly"),
        "schedule_type": "H", "repeats": -1})
    tonight = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=1), time(2, 30)))
    Schedule.objects.update_or_create(name=NIGHTLY, defaults={
        "func": RUN_SCHEDULED, "args": scheduled_args("reconciliation.platform_checks_nightly"),
        "schedule_type": "D", "repeats": -1, "next_run": tonight})


def backward(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name__in=[HOURLY, NIGHTLY]).delete()


class Migration(migrations.Migration):
    dependencies = [("invoices", "0032_platform_checks"), ("django_q", "0018_task_success_index"),
                    ("core", "0002_job_roles_and_sweep")]

    operations = [migrations.RunPython(forward, backward)]
