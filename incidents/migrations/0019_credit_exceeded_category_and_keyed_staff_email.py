"""The credit_exceeded category (a seller's credit limit on the platform used up) with its default playbook, and the
staff email's key (a credit warning recorded once however often its job runs)."""
from django.db import migrations, models


def playbook(apps, schema_editor):
    """As 0004 loads every category's playbook, for the category added here; left alone if staff made one."""
    from incidents.models.incident import IncidentCategory
    from incidents.playbooks import DEFAULT_STEPS, REVIEW

    Playbook = apps.get_model("incidents", "Playbook")
    PlaybookStep = apps.get_model("incidents", "PlaybookStep")
    category = IncidentCategory.CREDIT_EXCEEDED
    book, created = Playbook.objects.get_or_create(category=str(category),
                                                   defaults={"name": str(category.label)})
    if created:
        PlaybookStep.objects.bulk_create(
            PlaybookStep(playbook=book, position=n, title=str(title), help_text=str(help_text),
                         records_prevention=title == REVIEW[0])
            for n, (title, help_text) in enumerate(DEFAULT_STEPS[category], start=1))


class Migration(migrations.Migration):

    dependencies = [
        ('incidents', '0018_staff_email_one_mail_path'),
    ]

    operations = [
        migrations.AddField(
            model_name='staffemail',
            name='key',
            field=models.CharField(blank=True, editable=False, max_length=100, null=True, unique=True, verbose_name='deduplication key'),
        ),
        migrations.AlterField(
            model_name='historicalincident',
            name='category',
            field=models.CharField(choices=[('invoice_missing', 'invoice missing in the tax system'), ('sync_failure', 'sync failure'), ('platform_outage', 'tax platform outage'), ('credit_exceeded', 'credit limit exceeded'), ('data_entry_error', 'data entry error'), ('network', 'network'), ('permission', 'permission'), ('authenticity', 'authenticity in doubt'), ('other', 'other')], max_length=20, verbose_name='category'),
        ),
        migrations.AlterField(
            model_name='incident',
            name='category',
            field=models.CharField(choices=[('invoice_missing', 'invoice missing in the tax system'), ('sync_failure', 'sync failure'), ('platform_outage', 'tax platform outage'), ('credit_exceeded', 'credit limit exceeded'), ('data_entry_error', 'data entry error'), ('network', 'network'), ('permission', 'permission'), ('authenticity', 'authenticity in doubt'), ('other', 'other')], max_length=20, verbose_name='category'),
        ),
        migrations.AlterField(
            model_name='playbook',
            name='category',
            field=models.CharField(choices=[('invoice_missing', 'invoice missing in the tax system'), ('sync_failure', 'sync failure'), ('platform_outage', 'tax platform outage'), ('credit_exceeded', 'credit limit exceeded'), ('data_entry_error', 'data entry error'), ('network', 'network'), ('permission', 'permission'), ('authenticity', 'authenticity in doubt'), ('other', 'other')], max_length=20, unique=True, verbose_name='category'),
        ),
        migrations.AlterField(
            model_name='staffemail',
            name='purpose',
            field=models.CharField(choices=[('reminder', 'follow-up reminder'), ('escalation', 'follow-up escalation'), ('report', 'management report'), ('credit_low', 'credit limit running low')], max_length=12, verbose_name='purpose'),
        ),
        migrations.RunPython(playbook, migrations.RunPython.noop),
    ]
