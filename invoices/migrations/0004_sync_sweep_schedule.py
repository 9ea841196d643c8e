"""The scheduled sweep that re-queues pending invoices whose retry is due (backoff elapsed or task lost).
A migration, so every environment running `qcluster` gets exactly one such schedule."""
from django.db import migrations

NAME = "invoices: re-queue due pending syncs"


def create(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=NAME,
        defaults={"func": "invoices.tasks.sync_sweep", "schedule_type": "I", "minutes": 1, "repeats": -1},
    )


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("django_q", "0018_task_success_index"),
        ("invoices", "0003_sync_role_permissions"),
    ]

    operations = [migrations.RunPython(create, remove)]
