"""PostgreSQL-only: a pg_trgm GIN index on UPPER(title) for the admin's title search (icontains); a no-op on
SQLite. The extension is created by invoices 0012."""
from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS incident_title_trgm ON incidents_incident USING gin (UPPER(title) gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS incident_title_trgm")


class Migration(migrations.Migration):
    dependencies = [("incidents", "0005_scale_list_indexes"), ("invoices", "0013_postgres_search_indexes")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
