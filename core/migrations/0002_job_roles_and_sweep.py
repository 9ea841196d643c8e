"""Finance and managers see the job list and retry their side's failed jobs; the sweep runs every minute."""
from django.db import migrations

from core.roles import grant_role_permissions

SWEEP_NAME = "jobs: hand over lapsed leases and due retries"


def forward(apps, schema_editor):
    grant_role_permissions(apps, "core")
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name=SWEEP_NAME,
        defaults={"func": "core.jobs.tasks.sweep", "args": None, "schedule_type": "I", "minutes": 1, "repeats": -1},
    )


def backward(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SWEEP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_jobs"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("django_q", "0018_task_success_index"),
    ]

    operations = [migrations.RunPython(forward, backward)]
