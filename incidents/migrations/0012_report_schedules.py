"""The django-q2 schedules of the weekly and monthly management reports, and the managers' view of Report."""
from django.db import migrations

from core.roles import grant_role_permissions
from incidents.schedules import ensure_report_schedules


def create(apps, schema_editor):
    grant_role_permissions(apps, "incidents")
    ensure_report_schedules(apps.get_model("django_q", "Schedule"))


class Migration(migrations.Migration):
    dependencies = [
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
        ("incidents", "0011_management_reports"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
