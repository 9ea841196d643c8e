"""The SQL parameters every step of the pipeline shares (the plain lane's checks, the full pipeline, the raw
table's keys, the comparison): one definition, built once per statement. Steps add their own on top."""
import json
import sys
import unicodedata
from datetime import date, timedelta
from functools import lru_cache

from django.conf import settings

from invoices.ledger.identifiers import normalize_text
from invoices.ledger.models import InvoiceKind
from invoices.platform import export_vocab as vocab

# Every 数电 kind (e-invoices, 数电 paper invoices, 数电 motor vehicle invoices): a 20-digit number, no 发票代码.
# reader.parse_row and load_sql read a kind as 数电 by the same prefix.
DIGITAL_KINDS = tuple(kind.value for kind in InvoiceKind if kind.value.startswith("digital"))
PLAIN_YEARS = (2000, 2099)

# Both computed by invisible_class() / strip_chars() from Python's own tables (a test keeps them equal);
# spelled out here because scanning every code point takes about a second per process.
INVISIBLE_CLASS = '[\\x1-\\x20\\x7f-\\xa0\\xad\\x600-\\x605\\x61c\\x6dd\\x70f\\x890-\\x891\\x8e2\\x1680\\x180e\\x2000-\\x200f\\x2028-\\x202f\\x205f-\\x2064\\x2066-\\x206f\\x3000\\xfeff\\xfff9-\\xfffb\\x110bd\\x110cd\\x13430-\\x13438\\x1bca0-\\x1bca3\\x1d173-\\x1d17a\\xe0001\\xe0020-\\xe007f]'
STRIP_CHARS = '\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000'


@lru_cache(maxsize=1)
def invisible_class():
    """A regex bracket with every character normalize_text drops: whitespace, control and format characters."""
    chars = [c for c in map(chr, range(sys.maxunicode + 1))
             if (c.isspace() or unicodedata.category(c) in ("Cc", "Cf")) and not 0xD800 <= ord(c) <= 0xDFFF]
    ranges, start, prev = [], None, None
    for c in chars:
        if start is not None and ord(c) == ord(prev) + 1:
            prev = c
            continue
        if start is not None:
            ranges.append((start, prev))
        start = prev = c
    ranges.append((start, prev))

    def esc(ch):
        return f"\\x{ord(ch):x}" if ord(ch) > 0 else ""

    return "[" + "".join(esc(a) if a == b else f"{esc(a) or esc(chr(1))}-{esc(b)}" for a, b in ranges) + "]"


@lru_cache(maxsize=1)
def strip_chars():
    """What str.strip() removes (every character with isspace())."""
    return "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())


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


def risk_labels():
    return _labels(vocab.RISK_LABELS)


def params():
    """What every statement of the pipeline may refer to: label lookups, strip characters, time zone, red link,
    the sets of valid days, hours and minutes."""
    kinds = kind_labels()
    return {
        "kind_labels": json.dumps(kinds), "status_labels": json.dumps(status_labels()),
        "risk_labels": json.dumps(risk_labels()),
        "digital_labels": json.dumps({k: v for k, v in kinds.items() if v in DIGITAL_KINDS}),
        "legacy_labels": json.dumps({k: v for k, v in kinds.items() if v not in DIGITAL_KINDS}),
        "positives": json.dumps({normalize_text(k): v for k, v in vocab.POSITIVE_LOOKUP.items()}),
        "red_link": vocab.RED_LINK_RE.pattern, "strip": STRIP_CHARS, "tz": settings.TIME_ZONE,
        "days": _days(), "hours": _array(f"{h:02d}" for h in range(24)),
        "sixty": _array(f"{m:02d}" for m in range(60)),
    }


def _array(values):
    return "{" + ",".join(values) + "}"


@lru_cache(maxsize=1)
def _days():
    first, end = date(PLAIN_YEARS[0], 1, 1), date(PLAIN_YEARS[1] + 1, 1, 1)
    return _array((first + timedelta(days=n)).isoformat() for n in range((end - first).days))
