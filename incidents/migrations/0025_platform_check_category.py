"""The platform_check category (平台核对差异: a platform check's missing and mismatched invoices, for finance) with its
default playbook."""
from django.db import migrations, models


def playbook(apps, schema_editor):
    """As 0004 loads every category's playbook, for the category added here; left alone if staff made one."""
    from incidents.models.incident import IncidentCategory
    from incidents.playbooks import DEFAULT_STEPS, REVIEW

    Playbook = apps.get_model("incidents", "Playbook")
    PlaybookStep = apps.get_model("incidents", "PlaybookStep")
    category = IncidentCategory.PLATFORM_CHECK
    book, created = Playbook.objects.get_or_create(category=str(category),
                                                   defaults={"name": str(category.label)})
    if created:
        PlaybookStep.objects.bulk_create(
            PlaybookStep(playbook=book, position=n, title=str(title), help_text=str(help_text),
                         records_prevention=title == REVIEW[0])
            for n, (title, help_text) in enumerate(DEFAULT_STEPS[category], start=1))


class Migration(migrations.Migration):

    dependencies = [
        ('incidents', '0024_incident_duplicate_of_merge'),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalincident',
            name='category',
            field=models.CharField(choices=[('invoice_missing', 'invoice missing in the tax system'), ('sync_failure', 'sync failure'), ('platform_outage', 'tax platform outage'), ('credit_exceeded', 'credit limit exceeded'), ('invoice_risk', 'invoice flagged by the tax bureau (发票风险)'), ('platform_check', 'platform check discrepancies (平台核对差异)'), ('data_entry_error', 'data entry error'), ('network', 'network'), ('permission', 'permission'), ('authenticity', 'authenticity in doubt'), ('other', 'other')], max_length=20, verbose_name='category'),
        ),
        migrations.AlterField(
            model_name='incident',
            name='category',
            field=models.CharField(choices=[('invoice_missing', 'invoice missing in the tax system'), ('sync_failure', 'sync failure'), ('platform_outage', 'tax platform outage'), ('credit_exceeded', 'credit limit exceeded'), ('invoice_risk', 'invoice flagged by the tax bureau (发票风险)'), ('platform_check', 'platform check discrepancies (平台核对差异)'), ('data_entry_error', 'data entry error'), ('network', 'network'), ('permission', 'permission'), ('authenticity', 'authenticity in doubt'), ('other', 'other')], max_length=20, verbose_name='category'),
        ),
        migrations.AlterField(
            model_name='playbook',
            name='category',
            field=models.CharField(choices=[('invoice_missing', 'invoice missing in the tax system'), ('sync_failure', 'sync failure'), ('platform_outage', 'tax platform outage'), ('credit_exceeded', 'credit limit exceeded'), ('invoice_risk', 'invoice flagged by the tax bureau (发票风险)'), ('platform_check', 'platform check discrepancies (平台核对差异)'), ('data_entry_error', 'data entry error'), ('network', 'network'), ('permission', 'permission'), ('authenticity', 'authenticity in doubt'), ('other', 'other')], max_length=20, unique=True, verbose_name='category'),
        ),
        migrations.RunPython(playbook, migrations.RunPython.noop),
    ]
