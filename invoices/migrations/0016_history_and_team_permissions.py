from django.db import migrations

from core.roles import grant_role_permissions


def grant(apps, schema_editor):
    # Managers read the audit history (and, in incidents, see every team and manage teams); finance sees every team.
    grant_role_permissions(apps, "invoices")


class Migration(migrations.Migration):
    dependencies = [("invoices", "0015_audit_history")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
