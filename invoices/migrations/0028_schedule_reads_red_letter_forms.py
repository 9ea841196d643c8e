"""The red-letter forms' schedule no longer lapses forms itself (the platform does): it reads their status back
and fetches the forms buyers entered."""
from django.db import migrations

from core.jobs.schedules import RUN_SCHEDULED, scheduled_args

OLD = ("invoices: lapse unconfirmed red-letter forms", "reissue.lapse_forms")
NEW = ("invoices: read red-letter forms back from the platform", "reissue.check_forms")


def _move(apps, old, new):
    Schedule = apps.get_model("django_q", "Schedule")
    updated = Schedule.objects.filter(name=old[0]).update(name=new[0], func=RUN_SCHEDULED, args=scheduled_args(new[1]))
    if not updated and not Schedule.objects.filter(name=new[0]).exists():
        Schedule.objects.create(name=new[0], func=RUN_SCHEDULED, args=scheduled_args(new[1]), schedule_type="I",
                                minutes=15, repeats=-1)


def forward(apps, schema_editor):
    _move(apps, OLD, NEW)


def backward(apps, schema_editor):
    _move(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [("invoices", "0027_red_letter_forms_on_the_platform"), ("django_q", "0018_task_success_index")]

    operations = [migrations.RunPython(forward, backward)]
