"""Each run gets its own working tables (invoices/reconciliation/staging.py) instead of the shared staging table.
A run caught mid-way by the upgrade has its rows in the old table and its position in the old phases: it is
marked failed, with a message to upload the file again, rather than left to resume against tables it never had."""
from django.db import migrations, models
from django.utils import timezone


def fail_unfinished(apps, schema_editor):
    Run = apps.get_model("invoices", "ReconciliationRun")
    Run.objects.filter(status="running").update(
        status="failed", finished_at=timezone.now(),
        error="Interrupted by a software upgrade; upload the file again. / 因系统升级中断，请重新上传文件。",
    )


class Migration(migrations.Migration):

    dependencies = [
        ('invoices', '0017_reconciliation_sweep_schedule'),
    ]

    operations = [
        migrations.RunPython(fail_unfinished, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='ReconciliationStagingRow',
        ),
        migrations.AddField(
            model_name='reconciliationrun',
            name='parts',
            field=models.PositiveSmallIntegerField(default=1, editable=False, verbose_name='parts'),
        ),
        migrations.AlterField(
            model_name='reconciliationrun',
            name='phase',
            field=models.CharField(choices=[('load', 'loading the file'), ('ledger', 'reading the ledger for the period'), ('match', 'comparing the export with the ledger')], default='load', max_length=10, verbose_name='phase'),
        ),
    ]
