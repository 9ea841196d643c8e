from django.db import migrations

from core.roles import grant_role_permissions


def grant(apps, schema_editor):
    grant_role_permissions(apps, "invoices")


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0007_reissue"),
        ("backoffice", "0001_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
