"""The run's snapshot of the seller's ledger for the period (staging.ledger), copied a chunk at a time."""
import json
from datetime import datetime, time, timedelta

from django.db import connection
from django.utils import timezone

from invoices.ledger.models import Invoice
from invoices.reconciliation.pipeline import staging

INVOICE = Invoice._meta.db_table
LEDGER = "i.seller_id = %(seller)s AND i.issued_at >= %(start)s AND i.issued_at < %(end)s"


def period_bounds(period_start, period_end):
    start = timezone.make_aware(datetime.combine(period_start, time()))
    end = timezone.make_aware(datetime.combine(period_end + timedelta(days=1), time()))
    return start, end


def ledger_params(seller_id, start, end, **more):
    adapt = connection.ops.adapt_datetimefield_value  # SQLite compares timestamps as text in Django's format
    return {"seller": seller_id, "start": adapt(start), "end": adapt(end), **more}


def snapshot_ledger(run, *, after, size):
    """Copy the next `size` ledger invoices of the seller and period, newest first, after invoice `after` (0: from
    the newest), into the run's ledger table. Walks the (seller, issued_at, id) index by keyset, so every chunk
    reads only its own rows. Returns (rows copied, the last invoice's id, or None when the period is done)."""
    start, end = period_bounds(run.period_start, run.period_end)
    params = ledger_params(run.seller_id, start, end, size=size)
    where = LEDGER
    cols = ", ".join(staging.LEDGER_COLUMNS)
    source = ", ".join(f"i.{c}" for c in staging.LEDGER_COLUMNS)
    # SQLite hands a datetime column back parsed and naive; compared as the text it stores, the keyset holds.
    issued = "i.issued_at" if connection.vendor == "postgresql" else "CAST(i.issued_at AS text)"
    with connection.cursor() as cursor:
        if after:
            cursor.execute(f"SELECT {issued} FROM {INVOICE} i WHERE i.id = %(id)s", {"id": after})
            params.update(after_at=cursor.fetchone()[0], after=after)
            where += " AND (i.issued_at, i.id) < (%(after_at)s, %(after)s)"
        chunk = f"SELECT {source} FROM {INVOICE} i WHERE {where} ORDER BY i.issued_at DESC, i.id DESC LIMIT %(size)s"
        if connection.vendor == "postgresql":
            # One pass over the index: the rows copied tell where the next chunk starts.
            cursor.execute(f"WITH copied AS (INSERT INTO {staging.ledger(run.pk)} ({cols}) {chunk} "
                           f"RETURNING issued_at, id) SELECT (SELECT COUNT(*) FROM copied), "
                           f"(SELECT id FROM copied ORDER BY issued_at, id LIMIT 1)", params)
            copied, last = cursor.fetchone()
        else:  # SQLite has no INSERT in a WITH: find the chunk's last row first, then copy up to it
            cursor.execute(f"SELECT {issued}, i.id FROM {INVOICE} i WHERE {where} "
                           f"ORDER BY i.issued_at DESC, i.id DESC LIMIT 1 OFFSET %(offset)s", {**params, "offset": size - 1})
            bound = cursor.fetchone()
            if bound:
                params.update(last_at=bound[0], last=bound[1])
                where += " AND (i.issued_at, i.id) >= (%(last_at)s, %(last)s)"
            cursor.execute(f"INSERT INTO {staging.ledger(run.pk)} ({cols}) SELECT {source} FROM {INVOICE} i "
                           f"WHERE {where}", params)
            copied, last = cursor.rowcount, (bound[1] if bound else None)
        return copied, (last if copied == size else None)


def estimate_ledger(seller_id, start, end):
    """The planner's estimate of how many invoices the seller has in the period (PostgreSQL): enough to size
    the parts, without reading the period's index."""
    queryset = Invoice.objects.filter(seller_id=seller_id, issued_at__gte=start, issued_at__lt=end)
    sql, params = queryset.values("id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])
