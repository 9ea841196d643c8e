"""A run's own working tables: `recon_<run>_s`, the export's rows that the full pipeline read (on SQLite every
readable row; on PostgreSQL the plain rows stay in the raw table, raw.py, and are read from there), and, for a run
of several parts, `recon_<run>_l`, the snapshot of the seller's ledger for the period. They are created when the
run starts loading and dropped when it ends, so runs never share an index or leave dead rows behind, and on
PostgreSQL they are UNLOGGED (they live for one run; crash safety is not worth the WAL of a million-row load) and
without indexes while loading.

A file or a period ledger larger than RECONCILIATION_PART_ROWS makes several parts: on PostgreSQL the tables are
then hash-partitioned on the invoice number into that many parts, so an export row and the ledger invoice with its
number always land in the same part and the comparison runs one part at a time (one bounded chunk per part) as a
hash join of tables of bounded size. A run of one part (and every run on SQLite) joins the ledger directly."""
import math

from django.conf import settings
from django.db import connection

BATCH_ROWS = 20_000
STAGING_COLUMNS = [
    "row_no", "code", "number", "kind", "direction", "status", "issued_at", "buyer_tax_id",
    "buyer_name", "amount", "tax_amount", "total", "original_number", "drawer", "remarks", "original_code",
    "risk_level",
]
LEDGER_COLUMNS = ["id", "code", "number", "sync_status", "amount", "tax_amount", "total", "status", "buyer_tax_id",
                  "issued_at", "risk_level"]
MONEY_COLUMNS = ("amount", "tax_amount", "total")
MAX_PARTS = 256


def postgres():
    return connection.vendor == "postgresql"


def staged(run_id):
    return f"recon_{int(run_id)}_s"


def ledger(run_id):
    return f"recon_{int(run_id)}_l"


def raw(run_id):
    """PostgreSQL: every row of the export as the file's text (raw.py)."""
    return f"recon_{int(run_id)}_r"


def keys(run, k):
    """PostgreSQL: part k's keys table (raw.prepare)."""
    return part(f"recon_{int(run.pk)}_k", k, run.parts)


def sequence(run_id):
    """PostgreSQL: the row-number sequence of the chunk being loaded (raw.numbering)."""
    return f"recon_{int(run_id)}_n"


def part(table, k, parts):
    """The table holding part k of a working table."""
    return f"{table}_p{int(k)}" if postgres() and parts > 1 else table


def part_rows():
    return settings.RECONCILIATION_PART_ROWS


def parts_for(expected_rows, ledger_rows):
    """How many parts: enough that neither side of one part's join exceeds RECONCILIATION_PART_ROWS. Always 1 on
    SQLite."""
    if not postgres():
        return 1
    return max(1, min(MAX_PARTS, math.ceil(max(expected_rows, ledger_rows) / part_rows())))


def _columns_sql():
    money = "numeric(16, 2)"
    ts = "timestamp with time zone" if postgres() else "datetime"
    staged_types = {"row_no": "integer", "issued_at": ts, **{m: money for m in MONEY_COLUMNS}}
    ledger_types = {"id": "bigint", "issued_at": ts, **{m: money for m in MONEY_COLUMNS}}
    return ([f"{c} {staged_types.get(c, 'text')}" for c in STAGING_COLUMNS],
            [f"{c} {ledger_types.get(c, 'text')}" for c in LEDGER_COLUMNS])


def create(run_id, parts):
    """Create the run's working tables (dropping any left by an earlier attempt). A run of one part compares
    with the ledger itself and needs no snapshot."""
    drop(run_id)
    staged_cols, ledger_cols = _columns_sql()
    tables = [(staged(run_id), staged_cols)] + ([(ledger(run_id), ledger_cols)] if parts > 1 else [])
    with connection.cursor() as cursor:
        for table, cols in tables:
            if not postgres():
                cursor.execute(f"CREATE TABLE {table} ({', '.join(cols)})")
            elif parts == 1:
                cursor.execute(f"CREATE UNLOGGED TABLE {table} ({', '.join(cols)})")
            else:
                cursor.execute(f"CREATE TABLE {table} ({', '.join(cols)}) PARTITION BY HASH (number)")
                for k in range(parts):
                    cursor.execute(f"CREATE UNLOGGED TABLE {part(table, k, parts)} PARTITION OF {table} "
                                   f"FOR VALUES WITH (MODULUS {parts}, REMAINDER {k})")


def drop(run_id):
    with connection.cursor() as cursor:
        for table in (staged(run_id), ledger(run_id)):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        if not postgres():
            return
        cursor.execute(f"DROP TABLE IF EXISTS {raw(run_id)}")
        cursor.execute(f"DROP SEQUENCE IF EXISTS {sequence(run_id)}")
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename ~ %s",
                       [f"^recon_{int(run_id)}_k(_p[0-9]+)?$"])
        for (name,) in cursor.fetchall():
            cursor.execute(f"DROP TABLE {name}")


def insert_sql(run_id):
    cols = ", ".join(STAGING_COLUMNS)
    return f"INSERT INTO {staged(run_id)} ({cols}) VALUES ({', '.join(['%s'] * len(STAGING_COLUMNS))})"


def staging_tuple(row_no, parsed):
    return (
        row_no, parsed.code, parsed.number, parsed.kind, parsed.direction, parsed.status, parsed.issued_at,
        parsed.buyer_tax_id, parsed.buyer_name, parsed.amount, parsed.tax_amount, parsed.total,
        parsed.original_number, parsed.drawer, parsed.remarks, parsed.original_code, parsed.risk_level,
    )


def load_batch(run_id, rows):
    """Insert parsed rows (the SQLite path): a batched executemany with values prepared like Django would."""
    if not rows:
        return
    ops = connection.ops
    issued, money = STAGING_COLUMNS.index("issued_at"), {STAGING_COLUMNS.index(c) for c in MONEY_COLUMNS}
    prepared = [
        tuple(ops.adapt_datetimefield_value(v) if i == issued else (str(v) if i in money else v)
              for i, v in enumerate(row))
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(insert_sql(run_id), prepared)
