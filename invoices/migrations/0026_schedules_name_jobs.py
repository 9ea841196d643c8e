"""Schedules name registered jobs (core/jobs) through the spine's one task path, so moving a module never again
needs a migration like 0019. No table changes."""
from django.db import migrations

from core.jobs.schedules import RUN_SCHEDULED, scheduled_args

JOBS = {
    "invoices: re-queue due pending syncs": ("invoices.platform.tasks.sync_sweep", "platform.sync_sweep"),
    "invoices: lapse unconfirmed red-letter forms": ("invoices.reissue.tasks.lapse_red_letter_forms",
                                                     "reissue.lapse_forms"),
    "invoices: re-queue lost or abandoned reconciliation runs": ("invoices.reconciliation.tasks.sweep",
                                                                 "reconciliation.sweep"),
}


def forward(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for name, (_old, job) in JOBS.items():
        Schedule.objects.filter(name=name).update(func=RUN_SCHEDULED, args=scheduled_args(job))


def backward(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for name, (old, _job) in JOBS.items():
        Schedule.objects.filter(name=name).update(func=old, args=None)


class Migration(migrations.Migration):
    dependencies = [("invoices", "0025_long_texts_kept_whole"), ("core", "0002_job_roles_and_sweep")]

    operations = [migrations.RunPython(forward, backward)]
