"""The seeded reissue notice said "原发票已红冲，新发票号码为 …" whatever happened (a partial allowance included) and
"事件编号：。" without a case: where nobody edited it, it now carries the request's facts ({reissue_details})."""
from django.db import migrations


def update_notice(apps, schema_editor):
    from incidents.reference_data import OLD_REISSUE_NOTICE_BODIES, REISSUE_NOTICE

    Template = apps.get_model("incidents", "CommunicationTemplate")
    for row in Template.objects.filter(purpose="reissue_notice", body__in=OLD_REISSUE_NOTICE_BODIES):
        language = "zh-hans" if row.body == OLD_REISSUE_NOTICE_BODIES[0] else "en"
        _name, subject, body = REISSUE_NOTICE[language]
        row.subject, row.body = subject, body
        row.save(update_fields=["subject", "body"])


class Migration(migrations.Migration):

    dependencies = [
        ("incidents", "0021_mid_autumn_festival_2026"),
    ]

    operations = [
        migrations.RunPython(update_notice, migrations.RunPython.noop),
    ]
