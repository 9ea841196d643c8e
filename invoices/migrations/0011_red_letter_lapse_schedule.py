"""Red-letter forms awaiting the buyer lapse after 72 hours (status 07) and their reissue requests fail so
a retry fills a new form. A migration, so every environment running `qcluster` has exactly one schedule."""
from django.db import migrations

NAME = "invoices: lapse unconfirmed red-letter forms"


def create(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name=NAME,
        defaults={"func": "invoices.tasks_reissue.lapse_red_letter_forms", "schedule_type": "I", "minutes": 15,
                  "repeats": -1},
    )


def remove(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("django_q", "0018_task_success_index"), ("invoices", "0010_verify_role_permissions")]

    operations = [migrations.RunPython(create, remove)]
