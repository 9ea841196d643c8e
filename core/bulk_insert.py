"""Inserting many new rows of a model at once, for services that write in batches (invoice_issue_batch).

On PostgreSQL the rows go through COPY: psycopg 3 adapts each Python value by its type (Decimal, aware datetime,
str, bool, None), so there is no INSERT statement to compile and no model instance per row, which is where
bulk_create spends its time at tens of thousands of rows. Elsewhere (SQLite) it is bulk_create. Either way the
rows bypass save() and signals, as bulk_create does; callers write what those would have (history, events).

Values are what the model instance would hold (attname → value); a field left out takes the model's default,
evaluated per row as model instantiation does."""
import json

from django.db import connection
from django.db.models import JSONField

BATCH_SIZE = 1000  # rows per INSERT on the bulk_create path


def _copy(model, fields, rows):
    """COPY lists of values in `fields` order; JSON values are sent as their text."""
    qn = connection.ops.quote_name
    sql = f"COPY {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) FROM STDIN"
    json_at = [(i, f.encoder) for i, f in enumerate(fields) if isinstance(f, JSONField)]
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            for i, encoder in json_at:
                if row[i] is not None:
                    row[i] = json.dumps(row[i], cls=encoder)
            copy.write_row(row)


def insert_rows(model, rows):
    """Insert dicts of attname → value, all with the same keys. The primary key is the database's to assign
    unless the rows give it."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create([model(**row) for row in rows], batch_size=BATCH_SIZE)
        return
    given = [f for f in model._meta.concrete_fields if f.attname in rows[0]]
    defaulted = [f for f in model._meta.concrete_fields if f.attname not in rows[0] and not f.primary_key]
    names = [f.attname for f in given]
    _copy(model, given + defaulted, ([row[a] for a in names] + [f.get_default() for f in defaulted] for row in rows))


def insert_objects(model, objs):
    """Insert unsaved instances and give them their primary keys, as bulk_create does. On PostgreSQL the keys are
    drawn from the table's sequence first, then the rows are copied with them."""
    if not objs:
        return objs
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_create(objs, batch_size=BATCH_SIZE)
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [connection.ops.quote_name(table), model._meta.pk.column, len(objs)])
        ids = sorted(row[0] for row in cursor.fetchall())
    fields = model._meta.concrete_fields
    for obj, pk in zip(objs, ids):
        obj.pk = pk
    _copy(model, fields, ([f.pre_save(obj, True) for f in fields] for obj in objs))
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs
