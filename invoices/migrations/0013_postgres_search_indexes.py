"""PostgreSQL-only search indexes; a no-op on SQLite (which has neither pg_trgm nor operator classes).

- pg_trgm GIN indexes on UPPER(col): Django's icontains is `UPPER(col) LIKE UPPER('%term%')`, which only an
  expression index on UPPER(col) with gin_trgm_ops can serve.
- varchar_pattern_ops on number and code: the admin's prefix search is `LIKE 'term%'`; under a non-"C" collation
  (C.UTF-8 included) a plain btree cannot serve LIKE.
CREATE EXTENSION needs a role allowed to create it (pg_trgm is a trusted extension from PostgreSQL 13 on, so the
database owner may)."""
from django.db import migrations

INDEXES = [
    ("invoice_buyer_name_trgm", "invoices_invoice USING gin (UPPER(buyer_name) gin_trgm_ops)"),
    ("customer_name_trgm", "invoices_customer USING gin (UPPER(name) gin_trgm_ops)"),
    ("invoice_number_prefix", "invoices_invoice (number varchar_pattern_ops)"),
    ("invoice_code_prefix", "invoices_invoice (code varchar_pattern_ops)"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, spec in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {spec}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _spec in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("invoices", "0012_scale_list_indexes")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
