"""The scheduled sweep that queues again reconciliation runs whose task was lost or whose worker died."""
from django.db import migrations

NAME = "invoices: re-queue lost or abandoned reconciliation runs"


def create(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name=NAME,
        defaults={"func": "invoices.reconciliation.tasks.sweep", "schedule_type": "I", "minutes": 5, "repeats": -1},
    )


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("django_q", "0018_task_success_index"), ("invoices", "0016_history_and_team_permissions")]

    operations = [migrations.RunPython(create, remove)]
