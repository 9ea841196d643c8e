"""Bulk row writer for fixture data: PostgreSQL COPY through psycopg 3, batched executemany on SQLite.

Rows are tuples in the order of an explicit column list; `table()` checks that list against the model's
concrete columns so a model change fails loudly here instead of writing half-filled rows."""
import json
import tempfile
from contextlib import contextmanager
from datetime import datetime

from django.db import connection

BATCH = 5000


def money(cents):
    """Integer cents to the text of a 2-place decimal ('-12.05')."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def _pg_text(value):
    if value is None:
        return "\\N"
    if isinstance(value, (dict, list)):
        # COPY text format: backslash is the escape character.
        return json.dumps(value, ensure_ascii=False).replace("\\", "\\\\")
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


class BulkWriter:
    def __init__(self):
        self.vendor = connection.vendor
        self.rows = {}

    def next_id(self, model):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")
            return cursor.fetchone()[0]

    def reset_sequence(self, model):
        if self.vendor != "postgresql":
            return  # SQLite's rowid allocation follows MAX(id) by itself
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))",
                [table],
            )

    @contextmanager
    def table(self, model, columns):
        table = model._meta.db_table
        expected = {f.column for f in model._meta.concrete_fields}
        if set(columns) != expected and not model._meta.auto_created:
            raise RuntimeError(f"{table}: columns {sorted(expected ^ set(columns))} differ from the model")
        sink = _CopySink(table, columns) if self.vendor == "postgresql" else _InsertSink(table, columns)
        with sink:
            yield sink
        self.rows[table] = self.rows.get(table, 0) + sink.count


class _CopySink:
    """Rows go to a temporary file first and are copied when the table closes: one connection runs one COPY
    at a time, and the generators fill several tables at once (invoice, its lines, its events)."""

    def __init__(self, table, columns):
        self.sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        self.buffer, self.count = [], 0

    def __enter__(self):
        self._file = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        return self

    def add(self, row):
        self.buffer.append("\t".join(map(_pg_text, row)))
        self.count += 1
        if len(self.buffer) >= BATCH:
            self._flush()

    def _flush(self):
        if self.buffer:
            self._file.write("\n".join(self.buffer) + "\n")
            self.buffer = []

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self._flush()
                self._file.seek(0)
                with connection.cursor() as cursor, cursor.cursor.copy(self.sql) as copy:
                    while chunk := self._file.read(1 << 20):
                        copy.write(chunk)
        finally:
            self._file.close()


class _InsertSink:
    def __init__(self, table, columns):
        marks = ", ".join(["%s"] * len(columns))
        self.sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
        self.buffer, self.count = [], 0
        self.ops = connection.ops

    def __enter__(self):
        return self

    def _adapt(self, value):
        if isinstance(value, datetime):
            return self.ops.adapt_datetimefield_value(value)
        if isinstance(value, (dict, list)):
            return json.dumps(value, ensure_ascii=False)
        return value

    def add(self, row):
        self.buffer.append(tuple(self._adapt(v) for v in row))
        self.count += 1
        if len(self.buffer) >= BATCH:
            self._flush()

    def _flush(self):
        if self.buffer:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, self.buffer)
            self.buffer = []

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self._flush()
