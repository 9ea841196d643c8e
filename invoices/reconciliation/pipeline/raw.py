"""PostgreSQL: the run's raw table `recon_<run>_r`, every row of the export as the text the file holds (one
column per export column, NULL where the file lacks the column, plus the file's unknown columns) and its row
number. LOAD only COPYs into it, at the speed of a plain COPY. The first step of matching a part (prepare) then
reads the part once, in a parallel scan, into the part's keys table `recon_<run>_k[_p<k>]`: per row whether it is
plain (load_plain), its identity and the compared cells. Plain rows are the run's staged rows where they are,
read through load_plain.converted, instead of being converted into the staging table; the others go through the
full pipeline (load_sql.classify_rest) into the staging table or into unreadable discrepancies.

UNLOGGED, without an index, and for a run of several parts hash-partitioned on the plain rows' invoice number
(load_plain.key_number) like the other working tables (staging.py), so part k of the staged rows is part k of
this table plus part k of the staging table."""
from contextlib import contextmanager

from django.db import connection

from invoices.platform.export_vocab import HEADERS
from invoices.reconciliation.pipeline import load_plain, staging
from invoices.reconciliation.pipeline.load_sql import classify_rest
from invoices.reconciliation.pipeline.params import params as shared_params

RAW_KEYS = list(HEADERS)
SEQUENCE_CACHE = 10_000
# What a keys table holds of each row, as text; `plain`, the row number and the raw row's ctid besides.
KEY_COLUMNS = ["code", "number", "amount", "tax_amount", "total", "status", "buyer_tax_id", "risk"]


def create(run, parts, extra=()):
    """Create the raw table (after staging.create, which drops any left by an earlier attempt). `extra`: names for
    the file's columns that are no export column, which a COPY of the file's blocks fills."""
    name = staging.raw(run.pk)
    columns = ", ".join(["row_no integer"] + [f"{k} text" for k in RAW_KEYS] + [f"{c} text" for c in extra])
    with connection.cursor() as cursor:
        if parts == 1:
            cursor.execute(f"CREATE UNLOGGED TABLE {name} ({columns})")
            return
        cursor.execute(f"CREATE TABLE {name} ({columns}) PARTITION BY HASH (({load_plain.key_number()}))")
        for k in range(parts):
            cursor.execute(f"CREATE UNLOGGED TABLE {staging.part(name, k, parts)} PARTITION OF {name} "
                           f"FOR VALUES WITH (MODULUS {parts}, REMAINDER {k})")


@contextmanager
def numbering(cursor, run_id, first_row_no):
    """Inside, rows COPY writes without a row number are numbered from first_row_no in the order they come. The
    sequence is the chunk's own, so no session's cache of an earlier one can hand out stale numbers; fetching
    each number from the sequence's page would cost about a microsecond a row, so it hands them out a cache at
    a time."""
    name, sequence = staging.raw(run_id), staging.sequence(run_id)
    cursor.execute(f"CREATE SEQUENCE {sequence} START WITH {int(first_row_no)} CACHE {SEQUENCE_CACHE}")
    cursor.execute(f"ALTER TABLE {name} ALTER COLUMN row_no SET DEFAULT nextval('{sequence}')")
    yield
    cursor.execute(f"ALTER TABLE {name} ALTER COLUMN row_no DROP DEFAULT")
    cursor.execute(f"DROP SEQUENCE {sequence}")


def prepare(run, k, *, plain_lane=True):
    """Part k's keys table, then the full pipeline over the part's rows that are not plain. Returns how many of
    them cannot be read. plain_lane=False sends every row the long way (tests compare the two)."""
    source = staging.part(staging.raw(run.pk), k, run.parts)
    name = staging.keys(run, k)
    col = load_plain._col("r")
    cells = ", ".join([f"{col('code')} AS code", f"{load_plain.key_number('r')} AS number"]
                      + [f"r.{c} AS {c}" for c in KEY_COLUMNS[2:]])
    params = {**shared_params(), "seller_tax_id": run.seller.tax_id}
    with connection.cursor() as cursor:
        # The checks cost about 3 µs a row and the raw table is fresh (no statistics): the planner is told that
        # handing rows between processes is free, so it scans in parallel when the table is big enough for that
        # (min_parallel_table_scan_size) and the checks use the second core; the leader only writes the rows
        # the workers send (1,000,000 rows: 2.0 s, against 2.4 s with the leader scanning too and 3.8 s alone).
        settings = {"parallel_setup_cost": "0", "parallel_tuple_cost": "0", "parallel_leader_participation": "off"}
        for name_, value in settings.items():
            cursor.execute("SELECT set_config(%s, %s, true)", [name_, value])
        # The raw row's ctid: its few rows that are not plain, and the few the comparison keeps, are read
        # back by TID instead of by scanning the raw table for their row numbers.
        cursor.execute(f"CREATE UNLOGGED TABLE {name} AS SELECT r.row_no, r.ctid AS tid, "
                       f"{load_plain.plain('r') if plain_lane else 'false'} AS plain, {cells} FROM {source} r", params)
        for name_ in settings:
            cursor.execute(f"RESET {name_}")
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {name} WHERE NOT plain)")
        if not cursor.fetchone()[0]:
            return 0
        rest = f"r.ctid = ANY(ARRAY(SELECT tid FROM {name} WHERE NOT plain))"
        return classify_rest(cursor, run, rest, f"{source} r")


def staged_rows(run_id):
    """Every staged row of a prepared run of one part in file order, as tuples of STAGING_COLUMNS (for tests and
    debugging): on PostgreSQL the raw table's plain rows, converted, and the staging table's."""
    sql, params = f"SELECT {', '.join(staging.STAGING_COLUMNS)} FROM {staging.staged(run_id)}", {}
    if staging.postgres():
        sql = (f"SELECT {load_plain.select_converted('r')} FROM {staging.raw(run_id)} r "
               f"JOIN recon_{int(run_id)}_k k ON k.row_no = r.row_no AND k.plain UNION ALL {sql}")
        params = shared_params()
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} ORDER BY row_no", params)
        return cursor.fetchall()
