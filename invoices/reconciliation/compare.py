"""Set-based comparison of the staged export with the ledger. The database joins and filters; Python only
sees the discrepant rows, a batch at a time."""
import json
from datetime import datetime, time, timedelta
from datetime import timezone as dt_timezone

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from backoffice.history import insert_history_sql

from ..models import Invoice, InvoiceEvent, InvoiceEventKind, SyncStatus
from ..models_reconciliation import Discrepancy, DiscrepancyKind
from .staging import STAGING_TABLE

INVOICE = Invoice._meta.db_table
EVENT = InvoiceEvent._meta.db_table
FETCH = 5_000

STAGED_FIELDS = ["row_no", "code", "number", "kind", "direction", "status", "issued_at", "buyer_tax_id",
                 "buyer_name", "amount", "tax_amount", "total", "original_number", "drawer", "remarks"]
LEDGER_FIELDS = ["id", "amount", "tax_amount", "total", "status", "buyer_tax_id"]
DIFFERS = ("i.amount <> s.amount OR i.tax_amount <> s.tax_amount OR i.total <> s.total "
           "OR i.status <> s.status OR i.buyer_tax_id <> s.buyer_tax_id")


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


def find_duplicates(run_id):
    """Rows repeating an earlier row's code + number: reported, and dropped before comparing."""
    sql = (f"SELECT s.row_no, s.code, s.number, f.first_row FROM {STAGING_TABLE} s JOIN ("
           f"SELECT code, number, MIN(row_no) AS first_row FROM {STAGING_TABLE} WHERE run_id = %(run)s "
           f"GROUP BY code, number HAVING COUNT(*) > 1) f ON f.code = s.code AND f.number = s.number "
           f"WHERE s.run_id = %(run)s AND s.row_no > f.first_row")
    dups = list(_stream(sql, {"run": run_id}))
    with connection.cursor() as cursor:
        for start in range(0, len(dups), 500):  # stays under SQLite's limit on parameters
            chunk = [d[0] for d in dups[start:start + 500]]
            cursor.execute(f"DELETE FROM {STAGING_TABLE} WHERE run_id = %s AND row_no IN ({', '.join(['%s'] * len(chunk))})",
                           [run_id, *chunk])
    return dups


ROWS = "s.row_no > %(lo)s AND s.row_no <= %(hi)s"
MATCH_TABLE = "recon_match"


def match_chunk(run, *, seller_id, lo, hi):
    """Join the staged rows lo < row_no <= hi with the ledger once, into a temporary table of (row_no, invoice,
    its sync status, whether any compared field differs). The LATERAL probe with LIMIT makes it a nested loop
    over the unique (code, number) index driven by the chunk: the chunk is bounded, the seller's ledger is not,
    and a hash join would read the whole ledger again for every chunk. Call drop_match() when done."""
    ledger = ", ".join(f"i.{f}" for f in ("id", "sync_status", "amount", "tax_amount", "total", "status",
                                           "buyer_tax_id"))
    key = "i.code = s.code AND i.number = s.number AND i.seller_id = %(seller)s"
    if connection.vendor == "postgresql":
        ledger_side = f"LEFT JOIN LATERAL (SELECT {ledger} FROM {INVOICE} i WHERE {key} LIMIT 1) i ON true"
    else:  # SQLite has no LATERAL; its planner probes the unique index from the chunk's rows anyway
        ledger_side = f"LEFT JOIN {INVOICE} i ON {key}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE {MATCH_TABLE} AS SELECT s.row_no, i.id AS invoice_id, i.sync_status, "
            f"({DIFFERS}) AS differs FROM {STAGING_TABLE} s {ledger_side} WHERE s.run_id = %(run)s AND {ROWS}",
            {"run": run.pk, "seller": seller_id, "lo": lo, "hi": hi},
        )
        if connection.vendor != "postgresql":
            # SQLite joins staged_discrepancies' rows back by row_no with nested loops: without this index
            # that is a scan of the chunk per staged row.
            cursor.execute(f"CREATE INDEX {MATCH_TABLE}_row_no ON {MATCH_TABLE} (row_no)")


def drop_match():
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {MATCH_TABLE}")


def staged_discrepancies(run, *, lo, hi):
    """Yield Discrepancy objects for the matched chunk's rows that are absent from the ledger or differ."""
    cols = ", ".join([f"s.{f}" for f in STAGED_FIELDS] + [f"i.{f}" for f in LEDGER_FIELDS])
    sql = (f"SELECT {cols} FROM {MATCH_TABLE} m JOIN {STAGING_TABLE} s ON s.row_no = m.row_no "
           f"AND s.run_id = %(run)s AND {ROWS} LEFT JOIN {INVOICE} i ON i.id = m.invoice_id "
           f"WHERE m.invoice_id IS NULL OR m.differs ORDER BY s.row_no")
    n = len(STAGED_FIELDS)
    for row in _stream(sql, {"run": run.pk, "lo": lo, "hi": hi}):
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


LEDGER = "i.seller_id = %(seller)s AND i.issued_at >= %(start)s AND i.issued_at < %(end)s"


def _ledger_params(seller_id, start, end, **more):
    adapt = connection.ops.adapt_datetimefield_value  # SQLite compares timestamps as text in Django's format
    return {"seller": seller_id, "start": adapt(start), "end": adapt(end), **more}


def ledger_range_end(*, seller_id, start, end, after, size):
    """The id closing the next `size` ledger invoices of the seller and period after id `after`, or None."""
    sql = (f"SELECT MAX(id) FROM (SELECT i.id FROM {INVOICE} i WHERE {LEDGER} AND i.id > %(after)s "
           f"ORDER BY i.id LIMIT %(size)s) x")
    with connection.cursor() as cursor:
        cursor.execute(sql, _ledger_params(seller_id, start, end, after=after, size=size))
        return cursor.fetchone()[0]


def ledger_missing(run, *, seller_id, start, end, lo, hi):
    """Yield a Discrepancy for every ledger invoice of the seller and period, lo < id <= hi, the export lacks."""
    sql = (f"SELECT i.id, i.code, i.number, i.total FROM {INVOICE} i WHERE {LEDGER} "
           f"AND i.id > %(lo)s AND i.id <= %(hi)s AND NOT EXISTS (SELECT 1 FROM {STAGING_TABLE} s "
           f"WHERE s.run_id = %(run)s AND s.code = i.code AND s.number = i.number) ORDER BY i.id")
    for inv_id, code, number, total in _stream(sql, _ledger_params(seller_id, start, end, run=run.pk, lo=lo, hi=hi)):
        label = f"{code}-{number}" if code else number
        yield Discrepancy(run=run, kind=DiscrepancyKind.MISSING_ON_PLATFORM, invoice_id=inv_id, number=label,
                          detail=_("The ledger has %(n)s (total %(t)s) but the platform export does not.") % {
                              "n": label, "t": _dec(total)})


def count_matching():
    """Rows of the matched chunk that agree with their ledger invoice in every compared field."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {MATCH_TABLE} WHERE invoice_id IS NOT NULL AND NOT differs")
        return cursor.fetchone()[0]


def count_ledger(seller_id, start, end):
    return Invoice.objects.filter(seller_id=seller_id, issued_at__gte=start, issued_at__lt=end).count()


def set_sync_status_matched(run, *, actor_id):
    """Invoices of the matched chunk whose platform row agrees become `synced`; one event per invoice that
    actually changes."""
    where = (f"SELECT invoice_id AS id FROM {MATCH_TABLE} WHERE invoice_id IS NOT NULL AND NOT differs "
             f"AND sync_status <> %(status)s")
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
