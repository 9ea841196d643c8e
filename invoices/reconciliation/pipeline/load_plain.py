"""PostgreSQL's fast lane for the rows nearly every export consists of: cells already in their canonical
spelling (ASCII digits and upper-case letters, ISO dates, amounts with two decimals, known 发票票种/发票状态
labels, no padding). Such rows are never converted into a staging table: they stay in the run's raw table
(raw.py) as the text the file holds, and the comparison reads them through converted(), converting only the
few columns it compares. What the lane leaves goes through the full normalising pipeline in load_sql (NFKC,
invisible characters, date variants, damaged numbers, reasons). tests/invoices/reconciliation/test_reconciliation_fast_lane.py feeds
both the same rows and compares.

plain() decides, once per row in a parallel scan (raw.prepare), and its checks never let through a cell that a
conversion would refuse: a date must be a real one, amounts have the shape numeric(16,2) reads. They are as
cheap as PostgreSQL allows (a LIKE costs a few dozen nanoseconds, a regex a few hundred, a regex of a date's
shape about 1.5 µs, so dates are looked up in sets)."""

from invoices.reconciliation.pipeline.staging import STAGING_COLUMNS

DIGITS = "^[0-9]+$"
UPPER_ALNUM = "^[0-9A-Z]*$"
AMOUNT = r"^-?[0-9]+\.[0-9][0-9]$"
POSITIVE_PLAIN = ("", "是", "否", "Y", "N")
MONEY = "numeric(16, 2)"


def _time(x):
    """'YYYY-MM-DD HH:MM:SS' or 'YYYY-MM-DD' naming a real day and time, each part looked up in the set of its
    valid spellings (a hashed = ANY, about a third of what checking the digits and ranges costs). Days before
    params.PLAIN_YEARS[0] or after params.PLAIN_YEARS[1] go the long way."""
    return (f"({x} LIKE '__________ __:__:__' AND substr({x}, 12, 2) = ANY(%(hours)s::text[]) "
            f"AND substr({x}, 15, 2) = ANY(%(sixty)s::text[]) AND substr({x}, 18, 2) = ANY(%(sixty)s::text[]) "
            f"OR octet_length({x}) = 10) AND left({x}, 10) = ANY(%(days)s::text[])")


def _amount(x):
    # At most 14 integer digits: the full pipeline refuses |amount| >= 1e14 (numeric(16,2)).
    return f"{x} ~ '{AMOUNT}' AND length({x}) <= 17"


def _part(x, start):
    return f"substr({x}, {start}, 2)::int"


def _timestamp(x):
    """开票日期 of a plain row as local wall-clock time (a timestamp without time zone), from its parts."""
    hms = ", ".join(f"CASE WHEN length({x}) = 19 THEN {_part(x, start)} ELSE 0 END" for start in (12, 15, 18))
    return f"make_timestamp(substr({x}, 1, 4)::int, {_part(x, 6)}, {_part(x, 9)}, {hms})"


def _plain_where(col):
    number = f"coalesce(nullif({col('digital_number')}, ''), {col('number')})"
    return f"""%(status_labels)s::jsonb ? {col('status')}
        AND ({col('risk')} = '' OR %(risk_labels)s::jsonb ? {col('risk')})
        AND {col('positive')} IN ({", ".join(f"'{p}'" for p in POSITIVE_PLAIN)})
        AND ({col('seller_tax_id')} = '' OR {col('seller_tax_id')} = %(seller_tax_id)s)
        AND CASE WHEN %(digital_labels)s::jsonb ? {col('kind')}
                 THEN {col('code')} = '' AND ({col('number')} = '' OR {col('digital_number')} = ''
                                               OR {col('number')} = {col('digital_number')})
                      AND {number} ~ '{DIGITS}' AND length({number}) = 20
                 WHEN %(legacy_labels)s::jsonb ? {col('kind')}
                 THEN {col('digital_number')} = '' AND {col('code')} ~ '{DIGITS}' AND length({col('code')}) IN (10, 12)
                      AND {col('number')} ~ '{DIGITS}' AND length({col('number')}) = 8
                 ELSE false END
        AND {col('buyer_tax_id')} ~ '{UPPER_ALNUM}' AND {_time(col('issued_at'))}
        AND {_amount(col('amount'))} AND {_amount(col('tax_amount'))} AND {_amount(col('total'))}"""


def _col(alias=None):
    # A column the file lacks is NULL in the raw table: read as ''.
    at = f"{alias}." if alias else ""
    return lambda key: f"coalesce({at}{key}, '')"


def plain(alias=None):
    """SQL: whether a row of the raw table is plain."""
    return _plain_where(_col(alias))


def key_number(alias=None):
    """The staged invoice number of a plain row: a plain 数电 row has no 发票代码 and its number in either column,
    a plain legacy row has no 数电发票号码. The raw table is partitioned on it."""
    col = _col(alias)
    return f"coalesce(nullif({col('digital_number')}, ''), {col('number')})"


def converted(alias):
    """{staging column: expression} reading a plain row of the raw table `alias` as the full pipeline would
    stage it."""
    col = _col(alias)
    strip = "%(strip)s"
    remarks = f"btrim({col('remarks')}, {strip})"
    return {
        "row_no": f"{alias}.row_no", "code": col("code"), "number": key_number(alias),
        "kind": f"%(kind_labels)s::jsonb ->> {col('kind')}",
        "direction": (f"coalesce(%(positives)s::jsonb ->> {col('positive')}, "
                      f"CASE WHEN {col('total')}::numeric < 0 THEN 'red' ELSE 'blue' END)"),
        "status": f"%(status_labels)s::jsonb ->> {col('status')}",
        "issued_at": f"{_timestamp(col('issued_at'))} AT TIME ZONE %(tz)s",
        "buyer_tax_id": col("buyer_tax_id"), "buyer_name": f"left(btrim({col('buyer_name')}, {strip}), 200)",
        "amount": f"{col('amount')}::{MONEY}", "tax_amount": f"{col('tax_amount')}::{MONEY}",
        "total": f"{col('total')}::{MONEY}",
        **red_link_sql(remarks, empty=f"{col('remarks')} = ''"),
        "drawer": f"left(btrim({col('drawer')}, {strip}), 50)", "remarks": remarks,
        "risk_level": f"coalesce(%(risk_labels)s::jsonb ->> {col('risk')}, '')",
    }


def red_link_sql(remarks, empty="false"):
    """original_number and original_code of the red-to-blue link in 备注 (export_vocab.find_red_link, in SQL: the
    same pattern, group 1 a 数电 number, groups 2 and 3 a legacy code and number). `empty`: SQL that is true when
    there are no remarks, so the regex is not run for them."""
    match = f"regexp_match({remarks}, %(red_link)s)"
    return {
        "original_number": f"CASE WHEN {empty} THEN '' ELSE coalesce(({match})[1], ({match})[3], '') END",
        "original_code": f"CASE WHEN {empty} THEN '' ELSE coalesce(({match})[2], '') END",
    }


def select_converted(alias, columns=STAGING_COLUMNS):
    exprs = converted(alias)
    return ", ".join(f"{exprs[c]} AS {c}" for c in columns)


