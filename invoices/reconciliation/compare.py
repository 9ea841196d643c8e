"""Set-based comparison of the staged export with the ledger. The database joins and filters; Python only
sees the discrepant rows, a batch at a time."""
import json
from datetime import datetime, time, timedelta
from datetime import timezone as dt_timezone

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from backoffice.history import insert_history_sql

from ..models import Invoice, InvoiceEvent, InvoiceEventKind, SyncStatus
from ..models_reconciliation import Discrepancy, DiscrepancyKind
from . import staging

INVOICE = Invoice._meta.db_table
EVENT = InvoiceEvent._meta.db_table
FETCH = 5_000

STAGED_FIELDS = ["row_no", "code", "number", "kind", "direction", "status", "issued_at", "buyer_tax_id",
                 "buyer_name", "amount", "tax_amount", "total", "original_number", "drawer", "remarks"]
LEDGER_FIELDS = ["id", "amount", "tax_amount", "total", "status", "buyer_tax_id"]
COMPARED = ["amount", "tax_amount", "total", "status", "buyer_tax_id"]


def period_bounds(period_start, period_end):
    start = timezone.make_aware(datetime.combine(period_start, time()))
    end = timezone.make_aware(datetime.combine(period_end + timedelta(days=1), time()))
    return start, end


def _json_param():
    return "CAST(%(data)s AS jsonb)" if connection.vendor == "postgresql" else "%(data)s"


def _stream(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while True:
            rows = cursor.fetchmany(FETCH)
            if not rows:
                return
            yield from rows


def _platform_data(staged):
    data = {k: (str(v) if v is not None else "") for k, v in staged.items() if k != "row_no"}
    issued_at = staged["issued_at"]
    if isinstance(issued_at, str):  # SQLite may hand raw timestamps back as text
        issued_at = parse_datetime(issued_at)
    if issued_at is not None and timezone.is_naive(issued_at):  # ... or as naive UTC
        issued_at = issued_at.replace(tzinfo=dt_timezone.utc)
    data["issued_at"] = timezone.localtime(issued_at).isoformat() if issued_at else ""
    return data


LEDGER = "i.seller_id = %(seller)s AND i.issued_at >= %(start)s AND i.issued_at < %(end)s"
CMP = "recon_cmp"


def _ledger_params(seller_id, start, end, **more):
    adapt = connection.ops.adapt_datetimefield_value  # SQLite compares timestamps as text in Django's format
    return {"seller": seller_id, "start": adapt(start), "end": adapt(end), **more}


def snapshot_ledger(run, *, after, size):
    """Copy the next `size` ledger invoices of the seller and period, newest first, after invoice `after` (0: from
    the newest), into the run's ledger table. Walks the (seller, issued_at, id) index by keyset, so every chunk
    reads only its own rows. Returns (rows copied, the last invoice's id, or None when the period is done)."""
    start, end = period_bounds(run.period_start, run.period_end)
    params = _ledger_params(run.seller_id, start, end, size=size)
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


def duplicates(run, k):
    """Part k's rows repeating an earlier row's code + number: reported, and dropped before comparing. The same
    number always lands in the same part, so looking within the part finds them all."""
    table = staging.part(staging.staged(run.pk), k, run.parts)
    if connection.vendor == "postgresql" and _unique(run, table):
        return
    sql = (f"SELECT s.row_no, s.code, s.number, f.first_row FROM {table} s JOIN ("
           f"SELECT code, number, MIN(row_no) AS first_row FROM {table} "
           f"GROUP BY code, number HAVING COUNT(*) > 1) f ON f.code = s.code AND f.number = s.number "
           f"WHERE s.row_no > f.first_row ORDER BY s.row_no")
    dups = list(_stream(sql, {}))
    with connection.cursor() as cursor:
        for start in range(0, len(dups), 500):  # stays under SQLite's limit on parameters
            chunk = [d[0] for d in dups[start:start + 500]]
            cursor.execute(f"DELETE FROM {table} WHERE row_no IN ({', '.join(['%s'] * len(chunk))})", chunk)
    for row_no, code, number, first_row in dups:
        yield Discrepancy(run=run, kind=DiscrepancyKind.UNREADABLE, row_no=row_no,
                          number=f"{code}-{number}" if code else number,
                          detail=_("Duplicate of row %(r)s (same invoice number); only the first is compared.") % {
                              "r": first_row})


def _ledger(field):
    # A part's invoice comes from the period's snapshot (l) or, for a staged row the snapshot lacks, from the
    # ledger itself (o); at most one of the two is there, and every compared ledger column is NOT NULL.
    return f"coalesce(l.{field}, o.{field})"


def _unique(run, table):
    """Whether the part has no two rows with one number. A unique index under the "C" collation (bytewise sorts)
    answers it in about half the time of a hash aggregate, and nearly every export has no duplicate."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f'CREATE UNIQUE INDEX {table}_key ON {table} (number COLLATE "C", code COLLATE "C")')
        return True
    except IntegrityError:
        return False


def match_part(run, k):
    """Join part k of the staged rows with part k of the ledger snapshot once (a full hash join of two tables a
    chunk in size) into a temporary table: per staged row its ledger invoice, and per ledger invoice without a
    staged row a row with row_no NULL. A staged row the snapshot lacks is looked up in the ledger itself (an
    invoice of the seller outside the period), by the unique index; normally there are none. The table keeps
    the ledger side's compared values, so the discrepancies are read from it without joining the ledger again.
    Call drop_match() when done."""
    staged = staging.part(staging.staged(run.pk), k, run.parts)
    ledger = staging.part(staging.ledger(run.pk), k, run.parts)
    probe = ", ".join(f"i.{c}" for c in staging.LEDGER_COLUMNS)
    kept = ", ".join(f"{_ledger(c)} AS l_{c}" for c in staging.LEDGER_COLUMNS)
    differs = "(" + " OR ".join(f"{_ledger(c)} <> s.{c}" for c in COMPARED) + ")"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A hash join: the planner has no statistics for the fresh parts and would otherwise sort both
            # sides (text sorts under the database's collation) for a merge join.
            cursor.execute("SET LOCAL enable_mergejoin = off")
            # LATERAL with LIMIT (which keeps the planner from flattening it into a join with every invoice of
            # the seller): one index probe per row the snapshot lacks, a one-time filter for the others.
            outside = (f"LEFT JOIN LATERAL (SELECT {probe} FROM {INVOICE} i WHERE l.id IS NULL AND i.code = s.code "
                       f"AND i.number = s.number AND i.seller_id = %(seller)s LIMIT 1) o ON true")
        else:  # SQLite has no LATERAL, and probes the unique index from the joined rows anyway
            outside = (f"LEFT JOIN {INVOICE} o ON l.id IS NULL AND o.code = s.code AND o.number = s.number "
                       f"AND o.seller_id = %(seller)s")
        # Only rows that call for something: a discrepancy, or a sync status to set. A row that agrees with an
        # invoice already `synced` (nearly all of them, run after run) is counted, never written.
        cursor.execute(
            f"CREATE TEMP TABLE {CMP} AS SELECT * FROM (SELECT s.row_no, {kept}, {differs} AS differs "
            f"FROM {staged} s FULL JOIN {ledger} l ON l.code = s.code AND l.number = s.number {outside}) x "
            f"WHERE row_no IS NULL OR l_id IS NULL OR differs OR l_sync_status <> %(synced)s",
            {"seller": run.seller_id, "synced": SyncStatus.SYNCED},
        )
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_mergejoin = on")
        else:
            cursor.execute(f"CREATE INDEX {CMP}_row_no ON {CMP} (row_no)")


def drop_match():
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {CMP}")


def staged_discrepancies(run, k):
    """Yield Discrepancy objects for the matched part's rows that are absent from the ledger or differ."""
    staged = staging.part(staging.staged(run.pk), k, run.parts)
    cols = ", ".join([f"s.{f}" for f in STAGED_FIELDS] + [f"m.l_{f}" for f in LEDGER_FIELDS])
    sql = (f"SELECT {cols} FROM {CMP} m JOIN {staged} s ON s.row_no = m.row_no "
           f"WHERE m.row_no IS NOT NULL AND (m.l_id IS NULL OR m.differs) ORDER BY s.row_no")
    n = len(STAGED_FIELDS)
    for row in _stream(sql, {}):
        staged = dict(zip(STAGED_FIELDS, row[:n]))
        ledger = dict(zip(LEDGER_FIELDS, row[n:]))
        common = {"run": run, "row_no": staged["row_no"], "number": _number(staged),
                  "platform_data": _platform_data(staged)}
        if ledger["id"] is None:
            yield Discrepancy(kind=DiscrepancyKind.MISSING_IN_LEDGER, detail=_(
                "The platform has %(n)s (total %(t)s) but the ledger does not.") % {
                    "n": common["number"], "t": staged["total"]}, **common)
            continue
        common["invoice_id"] = ledger["id"]
        amounts = [(k, ledger[k], staged[k]) for k in ("amount", "tax_amount", "total")
                   if _dec(ledger[k]) != _dec(staged[k])]
        if amounts:
            yield Discrepancy(kind=DiscrepancyKind.AMOUNT_MISMATCH, detail="; ".join(
                _("%(f)s: ledger %(l)s, platform %(p)s") % {"f": k, "l": _dec(lv), "p": _dec(pv)}
                for k, lv, pv in amounts), **common)
        if ledger["status"] != staged["status"]:
            yield Discrepancy(kind=DiscrepancyKind.STATUS_MISMATCH, detail=_(
                "Status: ledger %(l)s, platform %(p)s") % {"l": ledger["status"], "p": staged["status"]}, **common)
        if ledger["buyer_tax_id"] != staged["buyer_tax_id"]:
            yield Discrepancy(kind=DiscrepancyKind.BUYER_MISMATCH, detail=_(
                "Buyer tax id: ledger %(l)s, platform %(p)s") % {
                    "l": ledger["buyer_tax_id"] or "∅", "p": staged["buyer_tax_id"] or "∅"}, **common)


def ledger_missing(run, k):
    """Yield a Discrepancy for every ledger invoice of the matched part that has no row in the export."""
    sql = f"SELECT l_id, l_code, l_number, l_total FROM {CMP} WHERE row_no IS NULL ORDER BY l_id"
    for inv_id, code, number, total in _stream(sql, {}):
        label = f"{code}-{number}" if code else number
        yield Discrepancy(run=run, kind=DiscrepancyKind.MISSING_ON_PLATFORM, invoice_id=inv_id, number=label,
                          detail=_("The ledger has %(n)s (total %(t)s) but the platform export does not.") % {
                              "n": label, "t": _dec(total)})


def count_matching(run, k):
    """Rows of the matched part that agree with their ledger invoice in every compared field: all of the part's
    rows but those the ledger lacks or disagrees with."""
    staged = staging.part(staging.staged(run.pk), k, run.parts)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT COUNT(*) FROM {staged}) - (SELECT COUNT(*) FROM {CMP} "
                       f"WHERE row_no IS NOT NULL AND (l_id IS NULL OR differs))")
        return cursor.fetchone()[0]


def count_ledger(seller_id, start, end):
    return Invoice.objects.filter(seller_id=seller_id, issued_at__gte=start, issued_at__lt=end).count()


def estimate_ledger(seller_id, start, end):
    """The planner's estimate of count_ledger (PostgreSQL): enough to size the parts, without reading the
    period's index."""
    queryset = Invoice.objects.filter(seller_id=seller_id, issued_at__gte=start, issued_at__lt=end)
    sql, params = queryset.values("id").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


def set_sync_status_matched(run, *, actor_id):
    """Invoices of the matched part whose platform row agrees become `synced`; one event per invoice that
    actually changes."""
    where = (f"SELECT l_id AS id FROM {CMP} WHERE row_no IS NOT NULL AND l_id IS NOT NULL "
             f"AND NOT differs AND l_sync_status <> %(status)s")
    return _set_status(where, {}, SyncStatus.SYNCED, run, actor_id,
                       _("Reconciliation run #%(run)s: matches the platform export.") % {"run": run.pk})


def set_sync_status_for(run, invoice_ids, status, actor_id, message):
    ids = sorted(set(invoice_ids))
    changed = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        where = (f"SELECT i.id FROM {INVOICE} i WHERE i.id IN ({', '.join(str(int(i)) for i in chunk)}) "
                 f"AND i.sync_status <> %(status)s")
        changed += _set_status(where, {}, status, run, actor_id, message)
    return changed


def _set_status(select_ids, params, status, run, actor_id, message):
    params = {**params, "status": status,
              "now": connection.ops.adapt_datetimefield_value(timezone.now()), "actor": actor_id, "message": message[:500],
              "kind": InvoiceEventKind.RECONCILED,
              "data": json.dumps({"run_id": run.pk, "sync_status": status})}
    with connection.cursor() as cursor:
        # Events first, while the WHERE still sees the old status; then the status itself, set-based.
        cursor.execute(
            f"INSERT INTO {EVENT} (invoice_id, kind, at, actor_id, message, data) "
            f"SELECT x.id, %(kind)s, %(now)s, %(actor)s, %(message)s, {_json_param()} FROM ({select_ids}) x",
            params,
        )
        # The audit history gets the same rows, set-based, before the UPDATE makes the WHERE stop matching.
        cursor.execute(insert_history_sql(Invoice, select_ids, overrides={"sync_status": "%(status)s"}),
                       {**params, "history_now": params["now"], "history_user": actor_id,
                        "history_reason": message[:100]})
        cursor.execute(f"UPDATE {INVOICE} SET sync_status = %(status)s WHERE id IN ({select_ids})", params)
        return cursor.rowcount


def _number(staged):
    return f"{staged['code']}-{staged['number']}" if staged["code"] else staged["number"]


def _dec(value):
    from ..money import money

    return money(value) if value is not None else None
