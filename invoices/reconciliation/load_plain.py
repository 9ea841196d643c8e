"""PostgreSQL's fast lane for the rows nearly every export consists of: cells already in their canonical
spelling (ASCII digits and upper-case letters, ISO dates, amounts with two decimals, known 发票票种/发票状态
labels, no padding). One statement moves those rows from the raw chunk straight into the staging table; what it
leaves behind goes through the full normalising pipeline in load_sql (NFKC, invisible characters, date variants,
damaged numbers, reasons). tests/test_reconciliation_fast_lane.py feeds both the same rows and compares.

The tests run as a generated column of recon_raw, so COPY evaluates them once per row, and they are as cheap as
PostgreSQL allows (a regex or a substr costs a few hundred nanoseconds a call, a LIKE a few dozen): a date or an
amount is only checked for its shape with LIKE and then cast, and the cast itself refuses what the shape let
through but is no date or number (30 February, letters in place of digits, an amount over the column's width).
Such a cast error rolls the lane back and it runs again with STRICT, which checks every digit and range first,
so a file with an odd row costs one more statement for its chunk, never a wrong row."""
import json

from ..identifiers import normalize_text
from . import vocab
from .staging import STAGING_COLUMNS

DIGITS = "^[0-9]+$"
UPPER_ALNUM = "^[0-9A-Z]*$"
AMOUNT = r"^-?[0-9]+\.[0-9][0-9]$"
POSITIVE_PLAIN = ("", "是", "否", "Y", "N")
DIGITAL_KINDS = ("digital_general", "digital_special")


def _labels(table):
    """Every label as written and as normalised, so the raw cell is looked up once."""
    out = {}
    for value, labels in table.items():
        for label in labels:
            out[label] = out[normalize_text(label)] = value.value
    return out


def kind_labels():
    return _labels(vocab.KIND_LABELS)


def status_labels():
    return _labels(vocab.STATUS_LABELS)


def _strict_time(x):
    """'YYYY-MM-DD HH:MM:SS' or 'YYYY-MM-DD' naming a real day (29 February goes the long way)."""
    day_max = ("CASE substr({x}, 6, 2) WHEN '02' THEN '28' WHEN '04' THEN '30' WHEN '06' THEN '30' "
               "WHEN '09' THEN '30' WHEN '11' THEN '30' ELSE '31' END").format(x=x)
    date = (f"substr({x}, 5, 1) = '-' AND substr({x}, 8, 1) = '-' AND substr({x}, 6, 2) BETWEEN '01' AND '12' "
            f"AND substr({x}, 9, 2) BETWEEN '01' AND {day_max}")
    return (f"(CASE length({x}) "
            f"WHEN 19 THEN substr({x}, 11, 1) = ' ' AND substr({x}, 14, 1) = ':' AND substr({x}, 17, 1) = ':' "
            f"AND substr({x}, 12, 2) <= '23' AND substr({x}, 15, 2) <= '59' AND substr({x}, 18, 2) <= '59' "
            f"AND translate({x}, '-: ', '') ~ '{DIGITS}' "
            f"WHEN 10 THEN translate({x}, '-', '') ~ '{DIGITS}' ELSE false END) AND {date}")


def _time(x):
    # The shape only; ::timestamp refuses what is no date. PostgreSQL reads 24:00:00 as the next midnight and
    # second 60 as a leap second, which the full pipeline refuses: those go the long way.
    return (f"({x} LIKE '____-__-__ __:__:__' AND {x} NOT LIKE '%% 24:%%' AND {x} NOT LIKE '%%:60' "
            f"OR {x} LIKE '____-__-__')")


def _strict_amount(x):
    # At most 14 integer digits: the full pipeline refuses |amount| >= 1e14 (numeric(16,2)).
    return f"{x} ~ '{AMOUNT}' AND length({x}) <= 17"


def _amount(x):
    # The shape only; ::numeric refuses what is no number (and numeric(16,2) what is too wide). Whatever else
    # numeric reads (a sign, surrounding ASCII spaces) the full pipeline reads as the same value.
    return f"{x} LIKE '%%_.__'"


def _plain_where(col, time=_time, amount=_amount):
    number = f"coalesce(nullif({col('digital_number')}, ''), {col('number')})"
    return f"""%(status_labels)s::jsonb ? {col('status')}
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
        AND {col('buyer_tax_id')} ~ '{UPPER_ALNUM}' AND {time(col('issued_at'))}
        AND {amount(col('amount'))} AND {amount(col('tax_amount'))} AND {amount(col('total'))}"""


def strict_where(present):
    """What the lane takes when a cast refused a cell of the chunk: every digit and range checked first."""
    col = _col(present)
    return (f"{_strict_time(col('issued_at'))} AND {_strict_amount(col('amount'))} "
            f"AND {_strict_amount(col('tax_amount'))} AND {_strict_amount(col('total'))}")


def _col(present):
    # A column the file lacks is NULL in recon_raw; read it as '' through the column itself, which keeps its
    # collation (a bare '' = '' in a generated column has none).
    return lambda key: key if key in present else f"coalesce({key}, '')"


def plain_column(present, enabled=True):
    """recon_raw's `plain` column: true for the rows this lane stages. Columns the file lacks read as ''."""
    return f"plain boolean GENERATED ALWAYS AS ({_plain_where(_col(present)) if enabled else 'false'}) STORED"


def insert_plain_sql(present, table, *, strict=False):
    """INSERT recon_raw's plain rows, converted, into the run's staging table; with strict, only those that
    also pass strict_where. 开票日期 is read as local time: run it with the session's TimeZone set to
    settings.TIME_ZONE (load_sql.insert_plain does; a plain cast costs less than AT TIME ZONE a row)."""
    col = _col(present)
    number = f"coalesce(nullif({col('digital_number')}, ''), {col('number')})"
    digital = f"%(digital_labels)s::jsonb ? {col('kind')}"
    strip = "%(strip)s"
    remarks = f"btrim({col('remarks')}, {strip})"
    return f"""
        INSERT INTO {table} ({", ".join(STAGING_COLUMNS)})
        SELECT row_no, CASE WHEN {digital} THEN '' ELSE {col('code')} END,
               CASE WHEN {digital} THEN {number} ELSE {col('number')} END,
               %(kind_labels)s::jsonb ->> {col('kind')},
               coalesce(%(positives)s::jsonb ->> {col('positive')},
                        CASE WHEN {col('total')}::numeric < 0 THEN 'red' ELSE 'blue' END),
               %(status_labels)s::jsonb ->> {col('status')}, {col('issued_at')}::timestamptz,
               {col('buyer_tax_id')}, left(btrim({col('buyer_name')}, {strip}), 200),
               {col('amount')}::numeric, {col('tax_amount')}::numeric, {col('total')}::numeric,
               CASE WHEN {col('remarks')} = '' THEN '' ELSE coalesce(substring({remarks} FROM %(red_link)s), '') END,
               left(btrim({col('drawer')}, {strip}), 50), {remarks}
        FROM recon_raw WHERE plain{" AND " + strict_where(present) if strict else ""}"""


def params():
    kinds = kind_labels()
    return {
        "kind_labels": json.dumps(kinds), "status_labels": json.dumps(status_labels()),
        "digital_labels": json.dumps({k: v for k, v in kinds.items() if v in DIGITAL_KINDS}),
        "legacy_labels": json.dumps({k: v for k, v in kinds.items() if v not in DIGITAL_KINDS}),
    }
