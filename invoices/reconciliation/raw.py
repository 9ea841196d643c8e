"""PostgreSQL: the run's raw table `recon_<run>_r`, the export's rows as the text the file holds (one column per
export column, NOT NULL DEFAULT '' so a column the file lacks reads as empty, plus the file's unknown columns),
their row numbers, and load_plain's generated `plain` flag. The plain rows are the run's staged rows: they are
compared where they are, read through load_plain.converted, instead of being converted into the staging table
(which then holds only the rows the full pipeline read). The rows that are not plain stay too; every query
that reads the table as staged rows asks for `plain`.

UNLOGGED, without an index while loading, and for a run of several parts hash-partitioned on the plain rows'
invoice number (load_plain.key_number) like the other working tables (staging.py), so part k of the staged rows
is part k of this table plus part k of the staging table."""
from contextlib import contextmanager

from django.db import connection

from . import load_plain, staging
from .vocab import HEADERS

RAW_KEYS = list(HEADERS)
SEQUENCE_CACHE = 10_000


def table(run_id):
    return f"recon_{int(run_id)}_r"


def _sequence(run_id):
    return f"recon_{int(run_id)}_n"


def create(run, parts, extra=()):
    """Create the raw table (after staging.create, which drops any left by an earlier attempt). `extra`: names for
    the file's columns that are no export column, which a COPY of the file's blocks fills."""
    name = table(run.pk)
    # row_no and plain first: a scan that reads only them stops taking the row apart there.
    columns = ", ".join(["row_no integer", load_plain.raw_plain_column()]
                        + [f"{k} text NOT NULL DEFAULT ''" for k in RAW_KEYS] + [f"{c} text" for c in extra])
    params = {**load_plain.params(), "seller_tax_id": run.seller.tax_id}
    with connection.cursor() as cursor:
        if parts == 1:
            cursor.execute(f"CREATE UNLOGGED TABLE {name} ({columns})", params)
        else:
            cursor.execute(f"CREATE TABLE {name} ({columns}) PARTITION BY HASH (({load_plain.key_number()}))",
                           params)
            for k in range(parts):
                cursor.execute(f"CREATE UNLOGGED TABLE {staging.part(name, k, parts)} PARTITION OF {name} "
                               f"FOR VALUES WITH (MODULUS {parts}, REMAINDER {k})")
        # Each chunk classifies the rows it added that are not plain (normally a handful): this index finds
        # them without reading the earlier chunks' rows, and costs nothing for the plain ones.
        cursor.execute(f"CREATE INDEX {name}_rest ON {name} (row_no) WHERE NOT plain")


def drop(cursor, run_id):
    cursor.execute(f"DROP TABLE IF EXISTS {table(run_id)}")
    cursor.execute(f"DROP SEQUENCE IF EXISTS {_sequence(run_id)}")


@contextmanager
def numbering(cursor, run_id, first_row_no):
    """Inside, rows COPY writes without a row number are numbered from first_row_no in the order they come. The
    sequence is the chunk's own, so no session's cache of an earlier one can hand out stale numbers; fetching
    each number from the sequence's page would cost about a microsecond a row, so it hands them out a cache at
    a time."""
    name, sequence = table(run_id), _sequence(run_id)
    cursor.execute(f"CREATE SEQUENCE {sequence} START WITH {int(first_row_no)} CACHE {SEQUENCE_CACHE}")
    cursor.execute(f"ALTER TABLE {name} ALTER COLUMN row_no SET DEFAULT nextval('{sequence}')")
    yield
    cursor.execute(f"ALTER TABLE {name} ALTER COLUMN row_no DROP DEFAULT")
    cursor.execute(f"DROP SEQUENCE {sequence}")


def rest_where(first_row_no):
    """SQL selecting the rows a chunk added from first_row_no that are not plain (by the partial index)."""
    return f"NOT plain AND row_no >= {int(first_row_no)}"


def insert_plain(cursor, run, present, source):
    """Copy the plain rows of a chunk table (load_sql) into the raw table as they are. Returns how many."""
    name = table(run.pk)
    cols = ", ".join(["row_no"] + RAW_KEYS)
    values = ", ".join(["row_no"] + [k if k in present else "''" for k in RAW_KEYS])
    cursor.execute(f"WITH added AS (INSERT INTO {name} ({cols}) SELECT {values} FROM {source} WHERE plain "
                   f"RETURNING plain) SELECT COUNT(*), COUNT(*) FILTER (WHERE NOT plain) FROM added")
    added, lost = cursor.fetchone()
    # The strict checks are meant to imply the raw table's own: a row they pass and it does not would be
    # neither staged nor reported.
    if lost:
        raise RuntimeError(f"reconciliation run {run.pk}: {lost} rows pass the strict checks but not the raw table's")
    return added
