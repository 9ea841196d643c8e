"""The task modules moved into their subdomains (invoices.platform.tasks, invoices.reissue.tasks): point the
existing schedules at the new paths. No table changes."""
from django.db import migrations

RENAMED = {
    "invoices.tasks.sync_sweep": "invoices.platform.tasks.sync_sweep",
    "invoices.tasks_reissue.lapse_red_letter_forms": "invoices.reissue.tasks.lapse_red_letter_forms",
}


def forward(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for old, new in RENAMED.items():
        Schedule.objects.filter(func=old).update(func=new)


def backward(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for old, new in RENAMED.items():
        Schedule.objects.filter(func=new).update(func=old)


class Migration(migrations.Migration):
    dependencies = [("invoices", "0018_reconciliation_run_tables")]

    operations = [migrations.RunPython(forward, backward)]
