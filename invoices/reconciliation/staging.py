"""Load parsed rows into the staging table in batches: COPY through psycopg 3 on PostgreSQL, a batched
executemany elsewhere. Memory holds one batch, never the file."""
from django.db import connection

from ..models_reconciliation import ReconciliationStagingRow

BATCH_ROWS = 20_000
STAGING_TABLE = ReconciliationStagingRow._meta.db_table
STAGING_COLUMNS = [
    "run_id", "row_no", "code", "number", "kind", "direction", "status", "issued_at", "buyer_tax_id",
    "buyer_name", "amount", "tax_amount", "total", "original_number", "drawer", "remarks",
]
MONEY_COLUMNS = ("amount", "tax_amount", "total")
INSERT_SQL = (f"INSERT INTO {STAGING_TABLE} ({', '.join(STAGING_COLUMNS)}) "
              f"VALUES ({', '.join(['%s'] * len(STAGING_COLUMNS))})")


def staging_tuple(run_id, row_no, parsed):
    return (
        run_id, row_no, parsed.code, parsed.number, parsed.kind, parsed.direction, parsed.status, parsed.issued_at,
        parsed.buyer_tax_id, parsed.buyer_name, parsed.amount, parsed.tax_amount, parsed.total,
        parsed.original_number, parsed.drawer, parsed.remarks,
    )


def copy_rows(table, columns, rows):
    """PostgreSQL COPY of an iterable of tuples (psycopg 3 adapts each Python value)."""
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def load_batch(rows):
    if not rows:
        return
    if connection.vendor == "postgresql":
        copy_rows(STAGING_TABLE, STAGING_COLUMNS, rows)
    else:
        # A batched executemany with values prepared like Django would (bulk_create's per-field preparation
        # of model instances costs more than the insert itself here).
        ops = connection.ops
        issued, money = STAGING_COLUMNS.index("issued_at"), {STAGING_COLUMNS.index(c) for c in MONEY_COLUMNS}
        prepared = [
            tuple(ops.adapt_datetimefield_value(v) if i == issued else (str(v) if i in money else v)
                  for i, v in enumerate(row))
            for row in rows
        ]
        with connection.cursor() as cursor:
            cursor.executemany(INSERT_SQL, prepared)


def analyze():
    # Fresh statistics let the planner pick a hash join over the freshly copied rows.
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {STAGING_TABLE}")


def clear(run_id):
    ReconciliationStagingRow.objects.filter(run_id=run_id).delete()
