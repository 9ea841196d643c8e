"""Who may import and who sees reconciliation runs; the staging table is UNLOGGED on PostgreSQL
(its rows live for one run only, so crash safety is not worth the WAL traffic of a million-row COPY)."""
from django.db import migrations

from core.roles import CUSTOMER_SERVICE, FINANCE, MANAGER, grant_role_permissions

GRANTS = {
    # Customer service may import customers but never invoices.
    CUSTOMER_SERVICE: ["import_customers"],
    FINANCE: [
        "import_customers", "import_invoices", "view_reconciliationrun", "add_reconciliationrun",
        "view_discrepancy",
    ],
    MANAGER: ["view_reconciliationrun", "view_discrepancy"],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, "invoices", GRANTS)


def staging_unlogged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE invoices_reconciliationstagingrow SET UNLOGGED")


class Migration(migrations.Migration):
    dependencies = [
        ("invoices", "0005_reconciliation_and_import_permissions"),
        ("backoffice", "0001_roles"),
    ]

    operations = [
        migrations.RunPython(grant, migrations.RunPython.noop),
        migrations.RunPython(staging_unlogged, migrations.RunPython.noop),
    ]
