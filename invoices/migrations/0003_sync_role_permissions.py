"""Let every role read sync attempts (the "is it on the platform?" question is everyone's), and let finance
read the simulated platform and rehearse outages. Frozen here, not read from ROLE_PERMISSIONS, so that the
earlier backoffice.0001_roles grant never asks for permissions whose models don't exist yet."""
from django.db import migrations

from core.roles import CUSTOMER_SERVICE, FINANCE, MANAGER, grant_role_permissions

SYNC_ROLE_PERMISSIONS = {
    CUSTOMER_SERVICE: ["view_syncattempt"],
    MANAGER: ["view_syncattempt", "view_platforminvoice"],
    FINANCE: ["view_syncattempt", "view_platforminvoice", "view_platformsettings", "change_platformsettings"],
}


def grant(apps, schema_editor):
    grant_role_permissions(apps, "invoices", SYNC_ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("backoffice", "0001_roles"),
        ("invoices", "0002_sync_attempts_and_simulated_platform"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
