"""PostgreSQL, CSV exports: hand a chunk's bytes to COPY into the run's raw table (raw.py) without parsing them
in Python (Python's csv module and re-writing every row for COPY cost more than the rest of loading a plain
chunk); the raw table marks the plain rows as COPY writes them, and the chunk's other rows are classified
(load_sql.classify_rest). Decoding stays Python's (the file's own encoding, the same codec as the csv path), so
only the CSV parsing moves into the server, and only where both parsers agree: a block with a quote character or
COPY's end-of-data marker, a ragged row, bad bytes, a blank row, or a cell the plain checks let through and
their conversion refuses, goes the csv-module way instead (load_sql.load_chunk), so both paths stage the same
rows under the same row numbers. Returns (rows loaded, unreadable count), or None when the block must go the
other way; nothing is left written then."""
import codecs
import logging

from django.db import DatabaseError, connection, transaction
from psycopg import Error as PsycopgError

from . import load_sql, raw
from .load_sql import RAW_KEYS, STRIP_CHARS

logger = logging.getLogger(__name__)
UTF8 = {"utf-8", "utf-8-sig"}


class _Refused(Exception):
    pass


def extra_columns(source):
    """The raw table's columns for the file's columns that are no export column."""
    return [c for c in _columns(source, len(source.header)) if c not in RAW_KEYS]


def _columns(source, width):
    """The raw table's column for each of the file's columns: the canonical key the header maps to, x<i> else."""
    by_index = {i: k for k, i in source.columns.items()}
    return [by_index.get(i, f"x{i}") for i in range(width)]


def load_block(run, source, block, first_row_no):
    if not block.strip():
        return 0, 0
    if b'"' in block or b"\\." in block:
        return None
    if codecs.lookup(source.encoding).name in UTF8:
        data = block  # COPY checks it is UTF-8 as strictly as Python's codec; bad bytes then go the csv way
    else:
        try:
            data = block.decode(source.encoding).encode("utf-8")
        except UnicodeDecodeError:
            return None  # the csv path reports it with the file's encoding
    present = [k for k in RAW_KEYS if k in source.columns]
    file_columns = _columns(source, len(source.header))
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            with raw.numbering(cursor, run.pk, first_row_no):
                with cursor.cursor.copy(f"COPY {raw.table(run.pk)} ({', '.join(file_columns)}) FROM STDIN "
                                        f"(FORMAT csv, FORCE_NOT_NULL ({', '.join(file_columns)}))") as copy:
                    copy.write(data)
                loaded = cursor.rowcount
            rest = raw.rest_where(first_row_no)
            # The csv path skips rows whose cells are all blank, so the rows after one are numbered differently:
            # such a block goes that way. (Plain rows are never blank.)
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {raw.table(run.pk)} WHERE {rest} AND "
                           f"btrim(concat({', '.join(file_columns)}), %(strip)s) = '')", {"strip": STRIP_CHARS})
            if cursor.fetchone()[0]:
                raise _Refused
            unreadable = load_sql.classify_rest(cursor, run, present, rest, raw.table(run.pk))
    except _Refused:
        return None
    except (DatabaseError, PsycopgError) as exc:
        # A ragged row, a bare carriage return, a NUL (COPY's parser says no), or a cell the plain lane's shape
        # checks let through and its conversion refuses.
        logger.info("reconciliation run %s: block at row %s goes through the csv module (%s)", run.pk,
                    first_row_no, str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__)
        return None
    return loaded, unreadable
