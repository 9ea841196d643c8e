"""PostgreSQL: the general lane into the run's raw table (XLSX, and CSV blocks load_block does not take), which
streams a chunk's cells into it with COPY (no per-row Python beyond the csv/openpyxl reader); and the full
pipeline (classify_rest) for the rows that are not plain, normalised, validated and classified in set-based SQL.
The rules are the same as reader.parse_row (the SQLite path), written as SQL: NFKC + upper + strip invisible
characters for identities, the damaged-number check, the 发票票种/发票状态/发票风险等级 vocabularies, 开票日期 in the formats
strptime takes, amounts as plain decimals guarded by a regex before the cast, and the red-to-blue link in 备注."""
import csv
import io
import json
import re

from django.db import connection
from django.utils.translation import gettext as _

from invoices.platform import export_vocab as vocab
from invoices.reconciliation.models import Discrepancy, DiscrepancyKind
from invoices.reconciliation.pipeline import staging
from invoices.reconciliation.pipeline.load_plain import red_link_sql
from invoices.reconciliation.pipeline.params import INVISIBLE_CLASS, params
from invoices.reconciliation.pipeline.staging import STAGING_COLUMNS

RAW_KEYS = list(vocab.HEADERS)
DISCREPANCY = Discrepancy._meta.db_table
V = "\x01"  # where the offending value goes in a translated reason
COPY_BUFFER_ROWS = 5_000
# The staging columns' widths (numeric(16,2)): larger amounts are refused as bad amounts, never truncated.
AMOUNT_LIMIT = "1e14"


def _norm(expr):
    # normalize_text: NFKC, upper-case, NFKC again, drop invisible characters; ASCII letters and digits (nearly
    # every cell) only need upper-casing, and normalize() costs microseconds a call.
    return (f"CASE WHEN {expr} ~ '^[0-9A-Za-z]*$' THEN upper({expr}) "
            f"ELSE regexp_replace(normalize(upper(normalize({expr}, NFKC)), NFKC), %(invisible)s, '', 'g') END")


def _bad_amount(a):
    return (f"NOT ({a} ~ '^[+-]?([0-9]{{1,3}}(,[0-9]{{3}})+|[0-9]+)?(\\.[0-9]*)?(E[+-]?0*[0-9]{{1,3}})?$' "
            f"AND split_part({a}, 'E', 1) ~ '[0-9]')")


def _reason_sql():
    """CASE giving the first rule a row breaks, in the order parse_row checks them, or NULL."""
    damage = "({x} ~ '^[0-9.]+E\\+?[0-9]+$' OR {x} ~ '^[0-9]+\\.0$')"
    whens = [
        f"WHEN n.digital_number <> '' AND {damage.format(x='n.digital_number')} "
        f"THEN replace(%(r_damage_digital)s, %(v)s, n.digital_number)",
        f"WHEN n.number <> '' AND {damage.format(x='n.number')} THEN replace(%(r_damage_number)s, %(v)s, n.number)",
        f"WHEN n.code <> '' AND {damage.format(x='n.code')} THEN replace(%(r_damage_code)s, %(v)s, n.code)",
        "WHEN n.kind IS NULL THEN replace(%(r_kind)s, %(v)s, coalesce(nullif(t.kind, ''), '∅'))",
        "WHEN n.digital AND NOT (k.code = '' AND k.number ~ '^[0-9]{20}$') "
        "THEN replace(%(r_digital)s, %(v)s, coalesce(nullif(k.number, ''), '∅'))",
        "WHEN NOT n.digital AND k.code !~ '^([0-9]{10}|[0-9]{12})$' "
        "THEN replace(%(r_code)s, %(v)s, coalesce(nullif(k.code, ''), '∅'))",
        "WHEN NOT n.digital AND k.number !~ '^[0-9]{8}$' "
        "THEN replace(%(r_number)s, %(v)s, coalesce(nullif(k.number, ''), '∅'))",
        "WHEN d.issued_at IS NULL THEN replace(%(r_date)s, %(v)s, coalesce(nullif(t.issued_at, ''), '∅'))",
        "WHEN n.status IS NULL THEN replace(%(r_status)s, %(v)s, coalesce(nullif(t.status, ''), '∅'))",
        "WHEN n.risk IS NULL THEN replace(%(r_risk)s, %(v)s, t.risk)",
    ]
    for key in ("amount", "tax_amount", "total"):
        # Two WHENs: CASE evaluates them in order, so the cast only sees text the regex let through.
        bad = f"THEN replace(%(r_{key})s, %(v)s, coalesce(nullif(t.{key}, ''), '∅'))"
        whens.append(f"WHEN {_bad_amount('n.' + key)} {bad}")
        whens.append(f"WHEN abs(replace(n.{key}, ',', '')::numeric) >= {AMOUNT_LIMIT} {bad}")
    whens.append("WHEN n.seller_tax_id <> '' AND n.seller_tax_id <> %(seller_tax_id)s "
                 "THEN replace(%(r_seller)s, %(v)s, n.seller_tax_id)")
    return "CASE " + " ".join(whens) + " END"


def _reasons(seller_tax_id):
    def fill(template, **values):
        return template % {**values, "v": V}

    damaged = _("%(col)s %(v)s was damaged by a spreadsheet (a 20-digit number turned into a float); "
                "re-export the file with the column as text.")
    return {
        "r_damage_digital": fill(damaged, col="数电发票号码"), "r_damage_number": fill(damaged, col="发票号码"),
        "r_damage_code": fill(damaged, col="发票代码"),
        "r_kind": fill(_("Unknown 发票票种 %(v)s.")),
        "r_digital": fill(_("A 数电 row needs a 20-digit number (got %(v)s).")),
        "r_code": fill(_("A legacy row needs a 10- or 12-digit 发票代码 (got %(v)s).")),
        "r_number": fill(_("A legacy row needs an 8-digit 发票号码 (got %(v)s).")),
        "r_date": fill(_("Bad 开票日期 %(v)s.")),
        "r_status": fill(_("Unknown 发票状态 %(v)s.")),
        "r_risk": fill(_("Unknown 发票风险等级 %(v)s.")),
        "r_amount": fill(_("Bad %(col)s %(v)s."), col="金额"),
        "r_tax_amount": fill(_("Bad %(col)s %(v)s."), col="税额"),
        "r_total": fill(_("Bad %(col)s %(v)s."), col="价税合计"),
        "r_seller": fill(_("Row belongs to seller %(v)s, not to this run's seller %(s)s."), s=seller_tax_id),
    }


# strptime's %Y-%m-%d [%H:%M[:%S]] with - or /, one or more spaces before the time, and %Y%m%d.
# strptime's %Y-%m-%d [%H:%M[:%S]] (one or more spaces before the time) with '-' or '/' (turned into '-' first;
# mixed separators are refused before), and %Y%m%d. No capture groups: PostgreSQL then matches with its fast
# automaton (capturing the parts costs ~25 µs a row); the parts are cut out with split_part afterwards.
DATE_RE = (r"^[0-9]{4}-(?:1[0-2]|0[1-9]|[1-9])-(?:3[01]|[12][0-9]|0[1-9]|[1-9])"
           r"(?:\s+(?:2[0-3]|[01][0-9]|[0-9]):(?:[0-5][0-9]|[0-9])(?::(?:[0-5][0-9]|[0-9]))?)?$")
COMPACT_DATE_RE = r"^[0-9]{4}(?:1[0-2]|0[1-9])(?:3[01]|[12][0-9]|0[1-9])$"


def _classify_sql(rest, source):
    """Three statements over the raw chunk, each a temporary table so that every expression runs once per row
    (a single SELECT with LATERAL steps lets the planner copy a step's expressions into every place that
    uses them, running each regex many times): trimmed text (t_*), then normalised values (n_*) and the date's
    parts, then the resolved identity (k_*), the timestamp and the reason the row cannot be read (NULL when
    it can)."""
    trimmed = ", ".join(f"btrim(coalesce({k}, ''), %(strip)s) AS t_{k}" for k in RAW_KEYS)
    # The cells of the columns the file has (the others are NULL), for the unreadable row's platform data.
    raw_json = ", ".join(f"'{k}', btrim({k}, %(strip)s)" for k in RAW_KEYS)
    normalised = ", ".join(f"{_norm('t_' + k)} AS n_{k}" for k in (
        "code", "number", "digital_number", "seller_tax_id", "buyer_tax_id", "positive"))
    amounts = ", ".join(f"CASE WHEN t_{k} ~ '^-?[0-9]+[.][0-9]{{2}}$' THEN t_{k} "
                        f"ELSE upper(btrim(normalize(t_{k}, NFKC), %(strip)s)) END AS n_{k}" for k in (
        "amount", "tax_amount", "total"))
    reason = re.sub(r"\b([tnkd])\.(\w+)", r"\1_\2", _reason_sql())
    return [
        f"CREATE TEMP TABLE recon_t ON COMMIT DROP AS SELECT row_no, {trimmed}, "
        f"jsonb_strip_nulls(jsonb_build_object({raw_json})) AS raw_json FROM {source} WHERE {rest}",
        f"""CREATE TEMP TABLE recon_n ON COMMIT DROP AS SELECT t.*, {normalised}, {amounts},
               coalesce(%(kinds)s::jsonb ->> t_kind, %(kinds)s::jsonb ->> {_norm('t_kind')}) AS n_kind,
               coalesce(%(statuses)s::jsonb ->> t_status, %(statuses)s::jsonb ->> {_norm('t_status')}) AS n_status,
               CASE WHEN t_risk = '' THEN ''
                    ELSE coalesce(%(risks)s::jsonb ->> t_risk, %(risks)s::jsonb ->> {_norm('t_risk')}) END AS n_risk,
               CASE WHEN strpos(t_issued_at, '/') > 0 AND strpos(t_issued_at, '-') > 0 THEN NULL
                    WHEN replace(t_issued_at, '/', '-') ~ %(date_re)s THEN replace(t_issued_at, '/', '-')
                    WHEN t_issued_at ~ %(compact_date_re)s
                    THEN substr(t_issued_at, 1, 4) || '-' || substr(t_issued_at, 5, 2) || '-' || substr(t_issued_at, 7, 2)
               END AS n_date
            FROM recon_t t""",
        f"""CREATE TEMP TABLE recon_parsed ON COMMIT DROP AS
            SELECT row_no, k_code AS code, k_number AS number, n_kind AS kind, n_status AS status,
                   d_issued_at AS issued_at, n_buyer_tax_id AS buyer_tax_id, t_buyer_name AS buyer_name,
                   t_drawer AS drawer, t_remarks AS remarks, n_positive AS positive, n_amount AS amount,
                   n_tax_amount AS tax_amount, n_total AS total, t_digital_number AS raw_digital_number,
                   t_number AS raw_number, n_risk AS risk_level, raw_json, {reason} AS reason
            FROM (SELECT n.*, n_kind LIKE 'digital%%' AS n_digital,
                         CASE WHEN n_digital_number <> '' THEN '' ELSE n_code END AS k_code,
                         CASE WHEN n_digital_number <> '' THEN n_digital_number ELSE n_number END AS k_number,
                         CASE WHEN n_date IS NULL OR y = 0 THEN NULL
                              WHEN dd > extract(day FROM make_date(y, mo, 1) + interval '1 month - 1 day') THEN NULL
                              ELSE make_timestamptz(y, mo, dd, coalesce(nullif(split_part(hms, ':', 1), ''), '0')::int,
                                                    coalesce(nullif(split_part(hms, ':', 2), ''), '0')::int,
                                                    coalesce(nullif(split_part(hms, ':', 3), ''), '0')::int, %(tz)s)
                         END AS d_issued_at
                  FROM (SELECT n.*, split_part(n_date, '-', 1)::int AS y, split_part(n_date, '-', 2)::int AS mo,
                               split_part(split_part(n_date, '-', 3), ' ', 1)::int AS dd,
                               btrim(substr(n_date, strpos(n_date || ' ', ' '))) AS hms
                        FROM recon_n n) n
                  OFFSET 0) p""",
    ]


def _params(seller_tax_id):
    """The full pipeline's parameters, on top of the shared ones (labels, strip characters, time zone, red link)."""
    return {
        **params(), "invisible": INVISIBLE_CLASS,
        "kinds": json.dumps(vocab.KIND_LOOKUP), "statuses": json.dumps(vocab.STATUS_LOOKUP),
        "risks": json.dumps(vocab.RISK_LOOKUP),
        "date_re": DATE_RE, "compact_date_re": COMPACT_DATE_RE, "seller_tax_id": seller_tax_id,
        "v": V, **_reasons(seller_tax_id),
    }


def load_chunk(run, source, rows, first_row_no):
    """COPY the chunk's rows (parsed by Python's csv module or openpyxl) into the run's raw table. Returns (rows
    loaded, 0): which rows cannot be read is found when the part is prepared (raw.prepare)."""
    present = [k for k in RAW_KEYS if k in source.columns]
    index = [source.columns[k] for k in present]
    width = max(index) + 1
    n = first_row_no - 1
    with connection.cursor() as cursor:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        with cursor.cursor.copy(f"COPY {staging.raw(run.pk)} (row_no, {', '.join(present)}) FROM STDIN "
                                f"(FORMAT csv, FORCE_NOT_NULL ({', '.join(present)}))") as copy:
            for row in rows:
                if len(row) < width:
                    row = row + [""] * (width - len(row))
                n += 1
                writer.writerow([n, *[row[i] for i in index]])
                if n % COPY_BUFFER_ROWS == 0:
                    copy.write(buffer.getvalue())
                    buffer.seek(0)
                    buffer.truncate()
            copy.write(buffer.getvalue())
    return n - first_row_no + 1, 0


def classify_rest(cursor, run, rest, source):
    """The full pipeline over the rows of `source` (the raw table or a part of it) that `rest` selects (those
    the plain lane left): readable rows into the staging table, the others into unreadable discrepancies.
    Returns the unreadable count."""
    params = {**_params(run.seller.tax_id), "run": run.pk}
    for statement in _classify_sql(rest, source):
        cursor.execute(statement, params)
    cols = ", ".join(STAGING_COLUMNS)
    link = red_link_sql("remarks", empty="remarks = ''")
    cursor.execute(f"""
        INSERT INTO {staging.staged(run.pk)} ({cols})
        SELECT row_no, code, number, kind,
               coalesce(%(positives)s::jsonb ->> positive,
                        CASE WHEN round(replace(total, ',', '')::numeric, 2) < 0 THEN 'red' ELSE 'blue' END),
               status, issued_at, left(buyer_tax_id, 20), left(buyer_name, 200),
               round(replace(amount, ',', '')::numeric, 2), round(replace(tax_amount, ',', '')::numeric, 2),
               round(replace(total, ',', '')::numeric, 2),
               {link["original_number"]}, left(drawer, 50), remarks, {link["original_code"]}, risk_level
        FROM recon_parsed WHERE reason IS NULL""", params)
    cursor.execute(f"""
        INSERT INTO {DISCREPANCY} (run_id, kind, row_no, number, detail, platform_data, resolution,
                                   resolution_note)
        SELECT %(run)s, %(kind)s, row_no, left(coalesce(nullif(raw_digital_number, ''), raw_number, ''), 40),
               left(reason, 500), raw_json, '', ''
        FROM recon_parsed WHERE reason IS NOT NULL ORDER BY row_no""", {**params, "kind": DiscrepancyKind.UNREADABLE})
    unreadable = cursor.rowcount
    cursor.execute("DROP TABLE recon_t, recon_n, recon_parsed")
    return unreadable
