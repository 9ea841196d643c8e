"""Each seller's latest credit limit reading (finance and managers view it), and the hourly credit check's schedule."""
import django.db.models.deletion
from django.db import migrations, models

from core.jobs.schedules import RUN_SCHEDULED, scheduled_args
from core.roles import grant_role_permissions

SCHEDULE = "invoices: check the sellers' credit limits on the platform"


def forward(apps, schema_editor):
    grant_role_permissions(apps, "invoices")
    apps.get_model("django_q", "Schedule").objects.update_or_create(name=SCHEDULE, defaults={
        "func": RUN_SCHEDULED, "args": scheduled_args("platform.credit_check"), "schedule_type": "H",
        "repeats": -1})


def backward(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SCHEDULE).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('invoices', '0028_schedule_reads_red_letter_forms'),
        ('core', '0002_job_roles_and_sweep'),
    ]

    operations = [
        migrations.CreateModel(
            name='CreditReading',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('total', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='credit limit')),
                ('used', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='used this month')),
                ('remaining', models.DecimalField(decimal_places=2, max_digits=16, verbose_name='credit remaining')),
                ('low', models.BooleanField(default=False, verbose_name='running low')),
                ('checked_at', models.DateTimeField(verbose_name='checked at')),
                ('warned_at', models.DateTimeField(blank=True, null=True, verbose_name='finance warned at')),
                ('seller', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='credit_reading', to='invoices.seller', verbose_name='seller')),
            ],
            options={
                'verbose_name': 'credit reading',
                'verbose_name_plural': 'credit limits on the platform',
                'ordering': ['-low', 'remaining', 'id'],
                'indexes': [models.Index(fields=['low', 'remaining'], name='credit_reading_low_idx')],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
