"""Create the django-q2 schedule of the incident desk (reminders, escalation, email retries)."""
from django.db import migrations

from incidents.schedules import ensure_schedules


def create(apps, schema_editor):
    ensure_schedules(apps.get_model("django_q", "Schedule"))


class Migration(migrations.Migration):
    dependencies = [
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
        ("incidents", "0002_role_permissions"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
