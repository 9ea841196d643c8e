"""PostgreSQL, CSV exports: hand a chunk's bytes to COPY without parsing them in Python (Python's csv module
and re-writing every row for COPY cost more than the rest of loading a plain chunk). Decoding stays Python's
(the file's own encoding, the same codec as the csv path), so only the CSV parsing moves into the server, and
only where both parsers agree: a block with a quote character or COPY's end-of-data marker, a ragged row, bad
bytes or a blank row goes the csv-module way instead (load_sql.load_chunk), so both paths stage the same rows
under the same row numbers. Returns (rows loaded, unreadable count), or None when the block must go the other
way; nothing is left written then."""
import codecs
import logging

from django.db import DatabaseError, connection, transaction
from psycopg import Error as PsycopgError

from . import load_sql
from .load_sql import RAW_KEYS, STRIP_CHARS

logger = logging.getLogger(__name__)
UTF8 = {"utf-8", "utf-8-sig"}


class _Refused(Exception):
    pass


def _columns(source, width):
    """recon_raw's column for each of the file's columns: the canonical key the header maps to, x<i> else."""
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
    width = len(source.header)
    file_columns = _columns(source, width)
    extra = [c for c in file_columns if c not in RAW_KEYS]
    present = [k for k in RAW_KEYS if k in source.columns]
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            load_sql.create_raw(cursor, run, present, extra=extra, first_row_no=first_row_no)
            with cursor.cursor.copy(f"COPY recon_raw ({', '.join(file_columns)}) FROM STDIN "
                                    f"(FORMAT csv, FORCE_NOT_NULL ({', '.join(file_columns)}))") as copy:
                copy.write(data)
            loaded = cursor.rowcount

            def no_blank_rows(rest):
                # The csv path skips rows whose cells are all blank, so the rows after one are numbered
                # differently: such a block goes that way. (Plain rows are never blank.)
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM recon_raw WHERE {rest} AND "
                               f"btrim(concat({', '.join(file_columns)}), %(strip)s) = '')",
                               {"strip": STRIP_CHARS})
                if cursor.fetchone()[0]:
                    raise _Refused

            unreadable = load_sql.stage(cursor, run, present, loaded, before_rest=no_blank_rows)
            cursor.execute("DROP TABLE recon_raw")
    except _Refused:
        return None
    except (DatabaseError, PsycopgError) as exc:  # a ragged row, a bare carriage return, a NUL: COPY's parser says no
        logger.info("reconciliation run %s: block at row %s goes through the csv module (%s)", run.pk,
                    first_row_no, str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__)
        return None
    return loaded, unreadable
