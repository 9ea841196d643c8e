"""Reps verify on the platform while the customer is on the phone; finance too."""
from django.db import migrations

from core.roles import CUSTOMER_SERVICE, FINANCE, grant_role_permissions


def grant(apps, schema_editor):
    grant_role_permissions(apps, "invoices", {CUSTOMER_SERVICE: ["verify_invoice"], FINANCE: ["verify_invoice"]})


class Migration(migrations.Migration):
    dependencies = [("invoices", "0009_verify_permission"), ("backoffice", "0001_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
