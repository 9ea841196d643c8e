"""Set-based comparison of the staged export with the ledger. The database joins and filters; Python only
sees the discrepant rows, a batch at a time."""
from datetime import timezone as dt_timezone

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from ..models import Invoice, SyncStatus
from ..models_reconciliation import Discrepancy, DiscrepancyKind
from . import staging
from .ledger import LEDGER, ledger_params, period_bounds

INVOICE = Invoice._meta.db_table
FETCH = 5_000

STAGED_FIELDS = ["row_no", "code", "number", "kind", "direction", "status", "issued_at", "buyer_tax_id",
                 "buyer_name", "amount", "tax_amount", "total", "original_number", "drawer", "remarks"]
LEDGER_FIELDS = ["id", "amount", "tax_amount", "total", "status", "buyer_tax_id"]
COMPARED = ["amount", "tax_amount", "total", "status", "buyer_tax_id"]


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


CMP = "recon_cmp"


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
    params = {"seller": run.seller_id, "synced": SyncStatus.SYNCED}
    if run.parts > 1:
        ledger = staging.part(staging.ledger(run.pk), k, run.parts)
    else:
        start, end = period_bounds(run.period_start, run.period_end)
        params.update(ledger_params(run.seller_id, start, end))
        ledger = (f"(SELECT {', '.join(f'i.{c}' for c in staging.LEDGER_COLUMNS)} FROM {INVOICE} i "
                  f"WHERE {LEDGER})")
    probe = ", ".join(f"i.{c}" for c in staging.LEDGER_COLUMNS)
    kept = ", ".join(f"{_ledger(c)} AS l_{c}" for c in staging.LEDGER_COLUMNS)
    staged_cols = ", ".join(["s.row_no"] + [f"s.{f} AS s_{f}" for f in STAGED_FIELDS if f != "row_no"])
    differs = "(" + " OR ".join(f"{_ledger(c)} <> s.{c}" for c in COMPARED) + ")"
    keep = f"l.id IS NULL OR {differs} OR l.sync_status <> %(synced)s"
    # Only rows that call for something: a discrepancy, or a sync status to set. A row that agrees with an
    # invoice already `synced` (nearly all of them, run after run) is counted, never written; the rows kept
    # carry the staged columns too, so the discrepancies are read without going back to the part. Rows without
    # an invoice of the period (l) are always kept: count_matching counts the period's invoices from them.
    select = f"SELECT {staged_cols}, {kept}, {differs} AS differs, l.id IS NOT NULL AS in_period"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A hash join: the planner has no statistics for the fresh parts and would otherwise sort both
            # sides (text sorts under the database's collation) for a merge join.
            cursor.execute("SET LOCAL enable_mergejoin = off")
            # LATERAL with LIMIT (which keeps the planner from flattening it into a join with every invoice of
            # the seller): one index probe per row the snapshot lacks, a one-time filter for the others.
            cursor.execute(
                f"CREATE TEMP TABLE {CMP} AS {select} "
                f"FROM {staged} s FULL JOIN {ledger} l ON l.code = s.code AND l.number = s.number "
                f"LEFT JOIN LATERAL (SELECT {probe} FROM {INVOICE} i WHERE l.id IS NULL AND i.code = s.code "
                f"AND i.number = s.number AND i.seller_id = %(seller)s LIMIT 1) o ON true "
                f"WHERE s.row_no IS NULL OR {keep}",
                params,
            )
            cursor.execute("SET LOCAL enable_mergejoin = on")
            return
        # SQLite (always one part) joins by nested loops: each staged row probes the ledger's unique
        # (code, number) index, and each invoice of the period the staged rows' index, for the ones it lacks.
        cursor.execute(f"CREATE INDEX {staged}_key ON {staged} (code, number)")
        ledger_cols = ", ".join(f"l.{c}" for c in staging.LEDGER_COLUMNS)
        nulls = ", ".join(["NULL"] * len(STAGED_FIELDS))
        cursor.execute(
            f"CREATE TEMP TABLE {CMP} AS {select} FROM {staged} s "
            f"LEFT JOIN {INVOICE} l ON l.code = s.code AND l.number = s.number AND l.seller_id = %(seller)s "
            f"AND l.issued_at >= %(start)s AND l.issued_at < %(end)s "
            f"LEFT JOIN {INVOICE} o ON l.id IS NULL AND o.code = s.code AND o.number = s.number "
            f"AND o.seller_id = %(seller)s WHERE {keep} "
            f"UNION ALL SELECT {nulls}, {ledger_cols}, NULL, 1 FROM {INVOICE} l WHERE {LEDGER.replace('i.', 'l.')} "
            f"AND NOT EXISTS (SELECT 1 FROM {staged} s WHERE s.code = l.code AND s.number = l.number)",
            params,
        )


def drop_match():
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {CMP}")


def staged_discrepancies(run):
    """Yield Discrepancy objects for the matched part's rows that are absent from the ledger or differ."""
    cols = ", ".join(["row_no"] + [f"s_{f}" for f in STAGED_FIELDS if f != "row_no"]
                     + [f"l_{f}" for f in LEDGER_FIELDS])
    sql = f"SELECT {cols} FROM {CMP} WHERE row_no IS NOT NULL AND (l_id IS NULL OR differs) ORDER BY row_no"
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


def ledger_missing(run):
    """Yield a Discrepancy for every ledger invoice of the matched part that has no row in the export."""
    sql = f"SELECT l_id, l_code, l_number, l_total FROM {CMP} WHERE row_no IS NULL ORDER BY l_id"
    for inv_id, code, number, total in _stream(sql, {}):
        label = f"{code}-{number}" if code else number
        yield Discrepancy(run=run, kind=DiscrepancyKind.MISSING_ON_PLATFORM, invoice_id=inv_id, number=label,
                          detail=_("The ledger has %(n)s (total %(t)s) but the platform export does not.") % {
                              "n": label, "t": _dec(total)})


def count_matching(run, k):
    """(Rows of the matched part that agree with their ledger invoice in every compared field, the period's
    ledger invoices in the part.) All of the part's rows but those the ledger lacks or disagrees with; all of
    them but those without an invoice of the period, plus the period's invoices without a row."""
    staged = staging.part(staging.staged(run.pk), k, run.parts)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {staged}), "
            f"COUNT(*) FILTER (WHERE row_no IS NOT NULL AND (l_id IS NULL OR differs)), "
            f"COUNT(*) FILTER (WHERE row_no IS NOT NULL AND NOT in_period), "
            f"COUNT(*) FILTER (WHERE row_no IS NULL) FROM {CMP}")
        rows, discrepant, outside, ledger_only = cursor.fetchone()
    return rows - discrepant, rows - outside + ledger_only


def _number(staged):
    return f"{staged['code']}-{staged['number']}" if staged["code"] else staged["number"]


def _dec(value):
    from ..money import money

    return money(value) if value is not None else None
