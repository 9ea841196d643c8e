"""Set-based comparison of the staged export with the ledger. The database joins and filters; Python only
sees the discrepant rows, a batch at a time."""
from datetime import timezone as dt_timezone

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core.admin.written import money as written_money
from invoices.ledger.models import Invoice, SyncStatus
from invoices.ledger.money import money
from invoices.reconciliation.models import Discrepancy, DiscrepancyKind
from invoices.reconciliation.pipeline import load_plain, staging
from invoices.reconciliation.pipeline.params import params as shared_params
from invoices.reconciliation.pipeline.snapshot import (
    LEDGER,
    ledger_params,
    period_bounds,
)
from invoices.reconciliation.written import field_label, field_value

INVOICE = Invoice._meta.db_table
FETCH = 5_000

# In the staging table's order: _details reads the raw table's plain rows through load_plain.select_converted.
STAGED_FIELDS = staging.STAGING_COLUMNS
LEDGER_FIELDS = ["id", "amount", "tax_amount", "total", "status", "buyer_tax_id"]
COMPARED = ["amount", "tax_amount", "total", "status", "buyer_tax_id"]
# What the comparison reads of every staged row; the rest only for the rows it keeps (_details). 发票风险等级 is no
# discrepancy: the platform's word on it is taken (risk_changes, services/risk.py).
KEYED = ["row_no", "tid", "code", "number", *COMPARED, "risk_level"]


def _postgres():
    return connection.vendor == "postgresql"


def _params():
    """What load_plain's conversions read (PostgreSQL)."""
    return shared_params() if _postgres() else {}


def _tables(run, k):
    """Part k's keys table (PostgreSQL: its plain rows are staged rows; raw.prepare) or None, and part k's
    staging table."""
    staged = staging.part(staging.staged(run.pk), k, run.parts)
    return (staging.keys(run, k) if _postgres() else None), staged


def _raw_part(run, k):
    return staging.part(staging.raw(run.pk), k, run.parts)


# A keys table's cells as the compared staged values (the checks made sure every conversion succeeds).
_FROM_KEYS = {"row_no": "row_no", "tid": "tid", "code": "code", "number": "number",
              **{m: f"{m}::{load_plain.MONEY}" for m in ("amount", "tax_amount", "total")},
              "status": "%(status_labels)s::jsonb ->> status", "buyer_tax_id": "buyer_tax_id",
              "risk_level": "coalesce(%(risk_labels)s::jsonb ->> risk, '')"}


def _staged(run, k, columns):
    """SQL for part k's staged rows with `columns` (of KEYED) and `plain`, whether the row is the raw table's
    (at `tid`): the keys table's plain rows and the staging table's rows. Run it with _params()."""
    keys, staged = _tables(run, k)
    rows = f"SELECT {', '.join('NULL AS tid' if c == 'tid' else c for c in columns)}, false AS plain FROM {staged}"
    if keys is None:
        return f"({rows})"
    converted = ", ".join(f"{_FROM_KEYS[c]} AS {c}" for c in columns)
    return f"(SELECT {converted}, true AS plain FROM {keys} WHERE plain UNION ALL {rows})"


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
    keys, staged = _tables(run, k)
    if keys is not None and _unique(keys, staged):
        return
    rows = _staged(run, k, ["row_no", "code", "number"])
    sql = (f"SELECT s.row_no, s.code, s.number, f.first_row FROM {rows} s JOIN ("
           f"SELECT code, number, MIN(row_no) AS first_row FROM {rows} k "
           f"GROUP BY code, number HAVING COUNT(*) > 1) f ON f.code = s.code AND f.number = s.number "
           f"WHERE s.row_no > f.first_row ORDER BY s.row_no")
    dups = list(_stream(sql, _params()))
    with connection.cursor() as cursor:
        for start in range(0, len(dups), 500):  # stays under SQLite's limit on parameters
            chunk = [d[0] for d in dups[start:start + 500]]
            for table in filter(None, (keys, staged)):
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


def _unique(keys, staged):
    """Whether no two of the part's staged rows have one number. Unique indexes under the "C" collation (bytewise
    sorts) answer it in about half the time of a hash aggregate, and nearly every export has no duplicate: one on
    the keys table's plain rows, one on the staging table's, and a probe of the first with the rows of the
    second, of which there are normally few or none."""
    key = 'number COLLATE "C", code COLLATE "C"'
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"CREATE UNIQUE INDEX {keys}_key ON {keys} ({key}) WHERE plain")
            cursor.execute(f"CREATE UNIQUE INDEX {staged}_key ON {staged} ({key})")
            cursor.execute(f'SELECT EXISTS (SELECT 1 FROM {staged} s JOIN {keys} r ON r.plain '
                           f'AND r.number COLLATE "C" = s.number COLLATE "C" AND r.code COLLATE "C" = s.code COLLATE "C")')
            return not cursor.fetchone()[0]
    except IntegrityError:
        return False


def match_part(run, k):
    """Join part k of the staged rows with part k of the ledger snapshot once (a full hash join of two tables a
    chunk in size) into a temporary table: per staged row its ledger invoice, and per ledger invoice without a
    staged row a row with row_no NULL. A staged row the snapshot lacks is looked up in the ledger itself (an
    invoice of the seller outside the period), by the unique index; normally there are none. The table keeps
    the ledger side's compared values, so the discrepancies are read from it without joining the ledger again.
    Of the staged rows it reads only what it compares (KEYED): for the raw table's plain rows, converting the
    other columns of every row would cost more than the join. Call drop_match() when done."""
    staged = staging.part(staging.staged(run.pk), k, run.parts)
    params = {"seller": run.seller_id, "synced": SyncStatus.SYNCED, **_params()}
    if run.parts > 1:
        ledger = staging.part(staging.ledger(run.pk), k, run.parts)
    else:
        start, end = period_bounds(run.period_start, run.period_end)
        params.update(ledger_params(run.seller_id, start, end))
        ledger = (f"(SELECT {', '.join(f'i.{c}' for c in staging.LEDGER_COLUMNS)} FROM {INVOICE} i "
                  f"WHERE {LEDGER})")
    staged_cols = ", ".join(["s.row_no"] + [f"s.{f} AS s_{f}" for f in KEYED + ["plain"] if f != "row_no"])
    # Only rows that call for something: a discrepancy, or a sync status to set. A row that agrees with an
    # invoice already `synced` (nearly all of them, run after run) is counted, never written. Rows without an
    # invoice of the period (l) are always kept: count_matching counts the period's invoices from them.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            kept = ", ".join(f"l.{c} AS l_{c}" for c in staging.LEDGER_COLUMNS)
            differs = "(" + " OR ".join(f"l.{c} <> s.{c}" for c in COMPARED) + ")"
            risk = "(s.risk_level <> '' AND l.risk_level <> s.risk_level)"
            # A hash join: the planner has no statistics for the fresh parts and would otherwise sort both
            # sides (text sorts under the database's collation) for a merge join.
            cursor.execute("SET LOCAL enable_mergejoin = off")
            cursor.execute(
                f"CREATE TEMP TABLE {CMP} AS SELECT {staged_cols}, {kept}, {differs} AS differs, "
                f"l.id IS NOT NULL AS in_period "
                f"FROM {_staged(run, k, KEYED)} s FULL JOIN {ledger} l ON l.code = s.code AND l.number = s.number "
                f"WHERE s.row_no IS NULL OR l.id IS NULL OR {differs} OR l.sync_status <> %(synced)s OR {risk}",
                params,
            )
            cursor.execute("SET LOCAL enable_mergejoin = on")
            # The staged rows without an invoice of the period (normally none) are looked up in the whole
            # ledger, by its unique index: an invoice of the seller outside the period.
            cursor.execute(f"ANALYZE {CMP}")
            found = ", ".join(f"l_{c} = i.{c}" for c in staging.LEDGER_COLUMNS)
            differs = " OR ".join(f"i.{c} <> c.s_{c}" for c in COMPARED)
            cursor.execute(
                f"UPDATE {CMP} c SET {found}, differs = ({differs}) FROM {INVOICE} i "
                f"WHERE c.row_no IS NOT NULL AND c.l_id IS NULL AND i.code = c.s_code AND i.number = c.s_number "
                f"AND i.seller_id = %(seller)s", params)
            return
        # A staged row the period lacks is matched with the seller's invoice outside it (o), if any.
        kept = ", ".join(f"{_ledger(c)} AS l_{c}" for c in staging.LEDGER_COLUMNS)
        differs = "(" + " OR ".join(f"{_ledger(c)} <> s.{c}" for c in COMPARED) + ")"
        risk = "(s.risk_level <> '' AND l.risk_level <> s.risk_level)"
        keep = f"l.id IS NULL OR {differs} OR l.sync_status <> %(synced)s OR {risk}"
        select = f"SELECT {staged_cols}, {kept}, {differs} AS differs, l.id IS NOT NULL AS in_period"
        # SQLite (always one part) joins by nested loops: each staged row probes the ledger's unique
        # (code, number) index, and each invoice of the period the staged rows' index, for the ones it lacks.
        cursor.execute(f"CREATE INDEX {staged}_key ON {staged} (code, number)")
        ledger_cols = ", ".join(f"l.{c}" for c in staging.LEDGER_COLUMNS)
        nulls = ", ".join(["NULL"] * (len(KEYED) + 1))
        cursor.execute(
            f"CREATE TEMP TABLE {CMP} AS {select} FROM {_staged(run, k, KEYED)} s "
            f"LEFT JOIN {INVOICE} l ON l.code = s.code AND l.number = s.number AND l.seller_id = %(seller)s "
            f"AND l.issued_at >= %(start)s AND l.issued_at < %(end)s "
            f"LEFT JOIN {INVOICE} o ON l.id IS NULL AND o.code = s.code AND o.number = s.number "
            f"AND o.seller_id = %(seller)s WHERE {keep} "
            f"UNION ALL SELECT {nulls}, {ledger_cols}, NULL, 1 FROM {INVOICE} l WHERE {LEDGER.replace('i.', 'l.')} "
            f"AND NOT EXISTS (SELECT 1 FROM {staged} s WHERE s.code = l.code AND s.number = l.number)",
            params,
        )


def risk_changes():
    """(invoice id, the platform's 发票风险等级) for the matched part's invoices whose risk level the export states
    and the ledger holds otherwise (reads CMP; match_part keeps those rows)."""
    sql = (f"SELECT l_id, s_risk_level FROM {CMP} WHERE row_no IS NOT NULL AND l_id IS NOT NULL "
           f"AND s_risk_level <> '' AND s_risk_level <> l_risk_level ORDER BY l_id")
    return list(_stream(sql, {}))


def drop_match():
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {CMP}")


def _details(run, k):
    """SQL for the staged rows of part k that the comparison kept as absent from the ledger or differing: every
    staged column, then the ledger side's. The kept rows are few, so only they are converted."""
    keys, staged = _tables(run, k)
    ledger = ", ".join(f"c.l_{f}" for f in LEDGER_FIELDS)
    kept = "c.row_no IS NOT NULL AND (c.l_id IS NULL OR c.differs)"
    rows = (f"SELECT {', '.join(f's.{f}' for f in STAGED_FIELDS)}, {ledger} FROM {CMP} c "
            f"JOIN {staged} s ON s.row_no = c.row_no WHERE {kept} AND NOT c.s_plain")
    if keys is not None:
        rows = (f"SELECT {load_plain.select_converted('r')}, {ledger} FROM {CMP} c "
                f"JOIN {_raw_part(run, k)} r ON r.ctid = c.s_tid WHERE {kept} AND c.s_plain UNION ALL {rows}")
    return f"SELECT * FROM ({rows}) d ORDER BY row_no"


def staged_discrepancies(run, k):
    """Yield Discrepancy objects for the matched part's rows that are absent from the ledger or differ."""
    sql = _details(run, k)
    n = len(STAGED_FIELDS)
    for row in _stream(sql, _params()):
        staged = dict(zip(STAGED_FIELDS, row[:n]))
        ledger = dict(zip(LEDGER_FIELDS, row[n:]))
        common = {"run": run, "row_no": staged["row_no"], "number": _number(staged),
                  "platform_data": _platform_data(staged)}
        if ledger["id"] is not None:
            common["invoice_id"] = ledger["id"]
        for kind, detail in row_discrepancies(staged, ledger):
            yield Discrepancy(kind=kind, detail=detail, **common)


def row_discrepancies(platform, ledger):
    """The rules, for one platform row and its ledger invoice (None or an id of None when the ledger lacks it):
    (kind, detail) for each way they disagree, nothing when they agree. `platform` holds the staged row's code,
    number and COMPARED values, the status as the ledger's status code; a money field it leaves out (the platform
    listing may give only the total) is not compared. The file's runs (staged_discrepancies) and the platform
    checks (services/platform_check.py) both compare through here."""
    if ledger is None or ledger.get("id") is None:
        yield DiscrepancyKind.MISSING_IN_LEDGER, _(
            "The platform has %(n)s (total %(t)s) but the ledger does not.") % {
                "n": _number(platform), "t": written_money(platform["total"])}
        return
    amounts = [(k, ledger[k], platform[k]) for k in ("amount", "tax_amount", "total")
               if k in platform and _dec(ledger[k]) != _dec(platform[k])]
    if amounts:
        yield DiscrepancyKind.AMOUNT_MISMATCH, "; ".join(
            _("%(f)s: ledger %(l)s, platform %(p)s") % {"f": field_label(k), "l": written_money(_dec(lv)),
                                                        "p": written_money(_dec(pv))}
            for k, lv, pv in amounts)
    if ledger["status"] != platform["status"]:
        yield DiscrepancyKind.STATUS_MISMATCH, _(
            "Status: ledger %(l)s, platform %(p)s") % {"l": field_value("status", ledger["status"]),
                                                       "p": field_value("status", platform["status"])}
    if ledger["buyer_tax_id"] != platform["buyer_tax_id"]:
        yield DiscrepancyKind.BUYER_MISMATCH, _(
            "Buyer tax id: ledger %(l)s, platform %(p)s") % {
                "l": ledger["buyer_tax_id"] or "∅", "p": platform["buyer_tax_id"] or "∅"}


def missing_on_platform_detail(code, number, total):
    """What a ledger invoice the platform does not have is told as (runs and checks alike)."""
    label = f"{code}-{number}" if code else number
    return label, _("The ledger has %(n)s (total %(t)s) but the platform export does not.") % {
        "n": label, "t": written_money(_dec(total))}


def ledger_missing(run):
    """Yield a Discrepancy for every ledger invoice of the matched part that has no row in the export."""
    sql = f"SELECT l_id, l_code, l_number, l_total FROM {CMP} WHERE row_no IS NULL ORDER BY l_id"
    for inv_id, code, number, total in _stream(sql, {}):
        label, detail = missing_on_platform_detail(code, number, total)
        yield Discrepancy(run=run, kind=DiscrepancyKind.MISSING_ON_PLATFORM, invoice_id=inv_id, number=label,
                          detail=detail)


def count_matching(run, k):
    """(Rows of the matched part that agree with their ledger invoice in every compared field, the period's
    ledger invoices in the part.) All of the part's rows but those the ledger lacks or disagrees with; all of
    them but those without an invoice of the period, plus the period's invoices without a row."""
    keys, staged = _tables(run, k)
    plain = f" + (SELECT COUNT(*) FROM {keys} WHERE plain)" if keys else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {staged}){plain}, "
            f"COUNT(*) FILTER (WHERE row_no IS NOT NULL AND (l_id IS NULL OR differs)), "
            f"COUNT(*) FILTER (WHERE row_no IS NOT NULL AND NOT in_period), "
            f"COUNT(*) FILTER (WHERE row_no IS NULL) FROM {CMP}")
        rows, discrepant, outside, ledger_only = cursor.fetchone()
    return rows - discrepant, rows - outside + ledger_only


def _number(staged):
    return f"{staged['code']}-{staged['number']}" if staged["code"] else staged["number"]


def _dec(value):
    return money(value) if value is not None else None
