from django.db import migrations

from core.roles import FINANCE, MANAGER, grant_role_permissions

# Finance operates the simulated platform (its settings already), so it sees the forms the platform keeps, acts as the
# simulated buyer and sets sellers' credit limits; managers read the forms as they read the platform's invoices.
SIMULATOR_PERMISSIONS = {
    FINANCE: ["view_platformredletterform", "view_platformcredit", "add_platformcredit", "change_platformcredit"],
    MANAGER: ["view_platformredletterform"],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, "invoices", SIMULATOR_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("invoices", "0029_credit_readings")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
