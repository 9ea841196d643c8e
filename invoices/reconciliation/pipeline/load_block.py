"""PostgreSQL, CSV exports: hand a chunk's bytes to COPY into the run's raw table (raw.py) without parsing them
in Python (Python's csv module and re-writing every row for COPY cost more than the rest of loading a chunk).
Decoding stays Python's (the file's own encoding, the same codec as the csv path), so only the CSV parsing moves
into the server, and only where both parsers agree: a block with a quote character or COPY's end-of-data marker,
a ragged row, bad bytes or a blank row goes the csv-module way instead (load_sql.load_chunk), so both paths load
the same rows under the same row numbers. Returns (rows loaded, 0), or None when the block must go the other
way; nothing is left written then."""
import codecs
import logging
import re

from django.db import DatabaseError, connection, transaction
from psycopg import Error as PsycopgError

from invoices.reconciliation.pipeline import raw, staging
from invoices.reconciliation.pipeline.load_sql import RAW_KEYS
from invoices.reconciliation.pipeline.params import STRIP_CHARS

logger = logging.getLogger(__name__)
UTF8 = {"utf-8", "utf-8-sig"}


def extra_columns(source):
    """The raw table's columns for the file's columns that are no export column."""
    return [c for c in _columns(source, len(source.header)) if c not in RAW_KEYS]


def _columns(source, width):
    """The raw table's column for each of the file's columns: the canonical key the header maps to, x<i> else."""
    by_index = {i: k for k, i in source.columns.items()}
    return [by_index.get(i, f"x{i}") for i in range(width)]


def _blank_line():
    """A line of nothing but commas and whitespace (every character Python's str.strip() removes, as UTF-8)."""
    single = b"".join(re.escape(c.encode()) for c in STRIP_CHARS if ord(c) < 128)
    multi = b"|".join(re.escape(c.encode()) for c in STRIP_CHARS if ord(c) >= 128)
    return re.compile(b"\\n(?:[," + single + b"]|" + multi + b")*(?=\\n|$)")


BLANK_LINE = _blank_line()


def has_blank_row(data):
    """Whether a piece of a block (UTF-8, cut after a newline) has a row whose cells are all blank: the csv path skips
    those, so the rows after one are numbered differently. About 0.06 s for 45 MB; the same test in SQL reads
    the rows again."""
    if BLANK_LINE.match(b"\n" + data[:data.find(b"\n")]):
        return True
    return BLANK_LINE.search(data, 0, len(data) - 1 if data.endswith(b"\n") else len(data)) is not None


class _Refused(Exception):
    pass


def _checked(part, encoding):
    """A piece of the block as UTF-8 for COPY, or _Refused when the block must go the csv-module way."""
    if b'"' in part or b"\\." in part:
        raise _Refused
    if encoding not in UTF8:
        try:
            part = part.decode(encoding).encode("utf-8")
        except UnicodeDecodeError:
            raise _Refused from None  # the csv path reports it with the file's encoding
    # (UTF-8 goes as it is: COPY checks it as strictly as Python's codec, and bad bytes then go the csv way.)
    if has_blank_row(part):
        raise _Refused
    return part


def load_block(run, source, position, size, first_row_no):
    """Load up to `size` lines of the file from `position`, each piece sent as soon as it is read and checked, so
    the server parses one while Python reads the next; a piece that must go the other way aborts the COPY."""
    encoding = codecs.lookup(source.encoding).name
    file_columns = _columns(source, len(source.header))
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            with raw.numbering(cursor, run.pk, first_row_no):
                with cursor.cursor.copy(f"COPY {staging.raw(run.pk)} ({', '.join(file_columns)}) FROM STDIN "
                                        f"(FORMAT csv, FORCE_NOT_NULL ({', '.join(file_columns)}))") as copy:
                    for part in source.parts(position, size):
                        copy.write(_checked(part, encoding))
                loaded = cursor.rowcount
    except _Refused:
        return None
    except (DatabaseError, PsycopgError) as exc:  # a ragged row, a bare carriage return, a NUL: COPY's parser says no
        logger.info("reconciliation run %s: block at row %s goes through the csv module (%s)", run.pk,
                    first_row_no, str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__)
        return None
    return loaded, 0
