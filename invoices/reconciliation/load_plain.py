"""PostgreSQL's fast lane for the rows nearly every export consists of: cells already in their canonical
spelling (ASCII digits and upper-case letters, ISO dates, amounts with two decimals, known 发票票种/发票状态
labels, no padding). Such rows are never converted into a staging table: they stay in the run's raw table
(raw.py) as the text the file holds, marked `plain`, and the comparison reads them through the expressions
below (CONVERTED), converting only the few columns it compares. What the lane leaves goes through the full
normalising pipeline in load_sql (NFKC, invisible characters, date variants, damaged numbers, reasons).
tests/test_reconciliation_fast_lane.py feeds both the same rows and compares.

`plain` is a generated column, so COPY evaluates it once per row, and its tests are as cheap as PostgreSQL
allows (a regex costs a few hundred nanoseconds a call, a LIKE a few dozen): the shape of a date or an amount,
then the conversion itself, which refuses what the shape let through but is no date or number (30 February,
an amount over the column's width). A refusal aborts the COPY: the block then goes the csv-module way
(load_sql), whose chunk table marks rows plain only after STRICT checks of every digit and range, so an odd
row costs its block the slower lane, never a wrong row."""
import json

from ..identifiers import normalize_text
from . import vocab
from .staging import STAGING_COLUMNS

DIGITS = "^[0-9]+$"
UPPER_ALNUM = "^[0-9A-Z]*$"
AMOUNT = r"^-?[0-9]+\.[0-9][0-9]$"
# The strict lane's date: digits where digits belong.
DATE_SHAPE = "^[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}:[0-9]{2})?$"
POSITIVE_PLAIN = ("", "是", "否", "Y", "N")
DIGITAL_KINDS = ("digital_general", "digital_special")
MONEY = "numeric(16, 2)"


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


def _time(x):
    """The date's shape, with no character in it but digits and its separators, and no space, '-' or ':' where
    a digit belongs that ::int would read as part of a number (a space, or a minus sign making -0 of 00); one
    that makes no number (a ':' or '-' elsewhere) fails the conversion. Cheaper than a regex of the shape (which
    costs about 1.5 µs a row). PostgreSQL reads 24:00:00 as the next midnight and second 60 as a leap second,
    which the full pipeline refuses, and has no year 0: those go the long way."""
    return (f"({x} LIKE '____-__-__ __:__:__' AND {x} NOT LIKE '%% %% %%' AND {x} NOT LIKE '%% %%-%%' "
            f"OR {x} LIKE '____-__-__' AND {x} NOT LIKE '%% %%') AND {x} !~ '[^0-9: -]' AND {x} NOT LIKE '-%%' "
            f"AND {x} NOT LIKE '0000%%' AND {x} NOT LIKE '%% 24:%%' AND {x} NOT LIKE '%%:60'")


def _strict_time(x):
    """A real day and time in digits (29 February goes the long way): no conversion can refuse it."""
    day_max = ("CASE substr({x}, 6, 2) WHEN '02' THEN '28' WHEN '04' THEN '30' WHEN '06' THEN '30' "
               "WHEN '09' THEN '30' WHEN '11' THEN '30' ELSE '31' END").format(x=x)
    return (f"{_time(x)} AND {x} ~ '{DATE_SHAPE}' AND substr({x}, 6, 2) BETWEEN '01' AND '12' "
            f"AND substr({x}, 9, 2) BETWEEN '01' AND {day_max} "
            f"AND (length({x}) = 10 OR substr({x}, 12, 2) <= '23' AND substr({x}, 15, 2) <= '59' "
            f"AND substr({x}, 18, 2) <= '59')")


def _strict_amount(x):
    # At most 14 integer digits: the full pipeline refuses |amount| >= 1e14 (numeric(16,2)).
    return f"{x} ~ '{AMOUNT}' AND length({x}) <= 17"


def _amount(x):
    # The shape only; the conversion refuses what is no number or too wide. Whatever else numeric reads (a
    # sign, surrounding ASCII spaces) the full pipeline reads as the same value.
    return f"{x} LIKE '%%_.__'"


def _part(x, start):
    return f"substr({x}, {start}, 2)::int"


def _timestamp(x):
    """开票日期 as local wall-clock time (a timestamp without time zone), from its parts: immutable, so a
    generated column may use it, and it refuses what is no real day or time."""
    hms = ", ".join(f"CASE WHEN length({x}) = 19 THEN {_part(x, start)} ELSE 0 END" for start in (12, 15, 18))
    return f"make_timestamp(substr({x}, 1, 4)::int, {_part(x, 6)}, {_part(x, 9)}, {hms})"


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


def _col(present):
    # A column the file lacks is NULL in a chunk table; read it as '' through the column itself, which keeps its
    # collation (a bare '' = '' in a generated column has none).
    return lambda key: key if key in present else f"coalesce({key}, '')"


def chunk_plain_column(present, enabled=True):
    """The csv-module lane's chunk table's `plain` column: true for the rows that pass the strict checks, which
    the run's raw table then takes as plain without a conversion refusing any (raw.insert_plain)."""
    col = _col(present)
    where = (f"{_plain_where(col, time=_strict_time, amount=_strict_amount)}" if enabled else "false")
    return f"plain boolean GENERATED ALWAYS AS ({where}) STORED"


def raw_plain_column():
    """The run's raw table's `plain` column (every export column there is NOT NULL DEFAULT ''): the cheap checks,
    then the conversions CONVERTED makes, so that one the comparison makes later cannot fail. A refusal raises,
    and the COPY with it."""
    col = _col(vocab.HEADERS)
    valid = " AND ".join([f"{col(k)}::{MONEY} IS NOT NULL" for k in ("amount", "tax_amount", "total")]
                         + [f"{_timestamp(col('issued_at'))} IS NOT NULL"])
    return f"plain boolean GENERATED ALWAYS AS (CASE WHEN {_plain_where(col)} THEN {valid} ELSE false END) STORED"


def key_number(alias=None):
    """The staged invoice number of a plain row: a plain 数电 row has no 发票代码 and its number in either column,
    a plain legacy row has no 数电发票号码. The raw table is partitioned on it."""
    at = f"{alias}." if alias else ""
    return f"coalesce(nullif({at}digital_number, ''), {at}number)"


def converted(alias):
    """{staging column: expression} reading a plain row of the raw table `alias` as the full pipeline would
    stage it."""
    col = lambda key: f"{alias}.{key}"  # noqa: E731
    strip = "%(strip)s"
    remarks = f"btrim({col('remarks')}, {strip})"
    return {
        "row_no": col("row_no"), "code": col("code"), "number": key_number(alias),
        "kind": f"%(kind_labels)s::jsonb ->> {col('kind')}",
        "direction": (f"coalesce(%(positives)s::jsonb ->> {col('positive')}, "
                      f"CASE WHEN {col('total')}::numeric < 0 THEN 'red' ELSE 'blue' END)"),
        "status": f"%(status_labels)s::jsonb ->> {col('status')}",
        "issued_at": f"{_timestamp(col('issued_at'))} AT TIME ZONE %(tz)s",
        "buyer_tax_id": col("buyer_tax_id"), "buyer_name": f"left(btrim({col('buyer_name')}, {strip}), 200)",
        "amount": f"{col('amount')}::{MONEY}", "tax_amount": f"{col('tax_amount')}::{MONEY}",
        "total": f"{col('total')}::{MONEY}",
        "original_number": (f"CASE WHEN {col('remarks')} = '' THEN '' "
                            f"ELSE coalesce(substring({remarks} FROM %(red_link)s), '') END"),
        "drawer": f"left(btrim({col('drawer')}, {strip}), 50)", "remarks": remarks,
    }


def select_converted(alias, columns=STAGING_COLUMNS):
    exprs = converted(alias)
    return ", ".join(f"{exprs[c]} AS {c}" for c in columns)


def params():
    from django.conf import settings

    from .load_sql import STRIP_CHARS

    kinds = kind_labels()
    return {
        "kind_labels": json.dumps(kinds), "status_labels": json.dumps(status_labels()),
        "digital_labels": json.dumps({k: v for k, v in kinds.items() if v in DIGITAL_KINDS}),
        "legacy_labels": json.dumps({k: v for k, v in kinds.items() if v not in DIGITAL_KINDS}),
        "positives": json.dumps({normalize_text(k): v for k, v in vocab.POSITIVE_LOOKUP.items()}),
        "red_link": vocab.RED_LINK_RE.pattern, "strip": STRIP_CHARS, "tz": settings.TIME_ZONE,
    }
