"""Stream an export file row by row, whatever its container and encoding, and turn each row into either a
staging tuple or a reason it cannot be read. Nothing is guessed: a damaged number, an unknown 发票票种 or a
bad date is reported, never repaired."""
import codecs
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.upload_limits import BoundedCsvReader, find_header, xlsx_header
from core.xlsx_dimension import sheet_rows
from invoices.ledger.identifiers import (
    is_digits,
    looks_like_float_damage,
    normalize_text,
)
from invoices.ledger.money import money
from invoices.platform import export_vocab as vocab

SNIFF_BYTES = 64 * 1024
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M",
                "%Y/%m/%d", "%Y%m%d")
# Columns that hold identity numbers: a numeric spreadsheet cell there is the float-damage case.
IDENTITY_KEYS = ("code", "number", "digital_number")


def detect_encoding(head):
    """UTF-8 with BOM, UTF-8, else GB18030 (a superset of GBK and GB2312, which older exports use)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "gb18030"


def sniff_format(fileobj):
    head = fileobj.read(SNIFF_BYTES)
    fileobj.seek(0)
    if head[:4] == b"PK\x03\x04":
        return "xlsx", None
    return "csv", detect_encoding(head)


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        # Whole numbers below 1e15 survive a double exactly; anything else keeps its float spelling so the
        # damage check (2.6442E+19) sees what the spreadsheet did.
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (datetime, date)):
        return value
    return str(value).strip()


def _iter_xlsx(fileobj, min_row=1):
    """The sheet's rows from min_row, streamed (openpyxl read_only); damaged XML is a ValidationError."""
    from xml.etree.ElementTree import ParseError

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, ParseError) as exc:
        raise ValidationError({"file": [_("The file is not a readable XLSX workbook (%(e)s).") % {"e": exc}]})
    try:
        sheet = workbook[vocab.SHEET_NAME] if vocab.SHEET_NAME in workbook.sheetnames else workbook.worksheets[0]
        try:
            for row in sheet_rows(sheet, min_row=min_row):
                yield [_cell_text(v) for v in row]
        except (ParseError, ValueError, KeyError) as exc:
            raise ValidationError({"file": [_("The sheet's XML is damaged (%(e)s).") % {"e": exc}]})
    finally:
        workbook.close()


def _iter_csv(fileobj, encoding):
    text = io.TextIOWrapper(fileobj, encoding=encoding, newline="")
    try:
        for row in BoundedCsvReader(text):
            yield [v.strip() for v in row]
    except UnicodeDecodeError as exc:
        raise ValidationError({"file": [_("The file is not valid %(enc)s text (%(e)s).") % {"enc": encoding, "e": exc}]})
    finally:
        text.detach()


def header_columns(header):
    columns = {}
    for index, name in enumerate(header):
        key = vocab.HEADER_LOOKUP.get(normalize_text(name) if isinstance(name, str) else "")
        if key and key not in columns:
            columns[key] = index
    missing = [vocab.HEADERS[key][0] for key in vocab.REQUIRED if key not in columns]
    if missing:
        raise ValidationError({"file": [
            _("This is not the platform's 发票基础信息 export: missing columns %(cols)s.") % {"cols": "、".join(missing)}
        ]})
    return columns


def iter_raw_rows(fileobj):
    """Yield (file_format, header_map) first, then (row_no, {key: value}) for every non-empty data row.
    row_no counts data rows from 1 (the header is row 0), like the export's own 序号."""
    fmt, encoding = sniff_format(fileobj)
    if fmt == "xlsx":
        # The header within a bounded number of rows and bytes of the sheet, then openpyxl from the row after it.
        header_row, header = xlsx_header(fileobj, vocab.SHEET_NAME)
        rows = _iter_xlsx(fileobj, min_row=header_row + 1)
    else:
        rows = _iter_csv(fileobj, encoding)
        _index, header = find_header(rows)
    columns = header_columns(header)
    yield fmt if encoding is None else f"{fmt} ({encoding})", columns
    row_no = 0
    for row in rows:
        if not any(v not in ("", None) for v in row):
            continue
        row_no += 1
        yield row_no, {key: (row[i] if i < len(row) else "") for key, i in columns.items()}


def check_header(fileobj):
    """Read only the header; raises ValidationError naming what is wrong. Returns the format label."""
    gen = iter_raw_rows(fileobj)
    try:
        fmt, _columns = next(gen)
    finally:
        gen.close()
        fileobj.seek(0)
    return fmt


@dataclass
class ParsedRow:
    code: str
    number: str
    kind: str
    direction: str
    status: str
    issued_at: datetime
    buyer_tax_id: str
    buyer_name: str
    amount: object
    tax_amount: object
    total: object
    original_number: str
    drawer: str
    remarks: str
    seller_tax_id: str
    original_code: str = ""  # a legacy original's 发票代码 (find_red_link)
    risk_level: str = ""  # RiskLevel value; "" when the row leaves 发票风险等级 empty


def _parse_date(value):
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    if isinstance(value, date):
        return timezone.make_aware(datetime.combine(value, time()))
    text = str(value or "").strip()
    for fmt in DATE_FORMATS:
        try:
            return timezone.make_aware(datetime.strptime(text, fmt))
        except ValueError:
            continue
    return None


def _text(raw, key):
    value = raw.get(key, "")
    return value.isoformat(sep=" ") if isinstance(value, (date, datetime)) else str(value or "").strip()


def parse_row(raw):
    """Return (ParsedRow, "") or (None, reason)."""
    ids = {key: normalize_text(_text(raw, key)) for key in IDENTITY_KEYS}
    for key, label in (("digital_number", "数电发票号码"), ("number", "发票号码"), ("code", "发票代码")):
        if ids[key] and looks_like_float_damage(ids[key]):
            return None, _(
                "%(col)s %(v)s was damaged by a spreadsheet (a 20-digit number turned into a float); "
                "re-export the file with the column as text."
            ) % {"col": label, "v": ids[key]}
    kind_label = _text(raw, "kind")
    kind = vocab.KIND_LOOKUP.get(normalize_text(kind_label))
    if kind is None:
        return None, _("Unknown 发票票种 %(v)s.") % {"v": kind_label or "∅"}
    code, number = ids["code"], ids["number"]
    if ids["digital_number"]:
        code, number = "", ids["digital_number"]
    elif not code and is_digits(number, 20):
        pass  # a 数电 number sitting in 发票号码
    digital = kind.startswith("digital")
    if digital and not (not code and is_digits(number, 20)):
        return None, _("A 数电 row needs a 20-digit number (got %(v)s).") % {"v": number or "∅"}
    if not digital and not (is_digits(code, 10) or is_digits(code, 12)) :
        return None, _("A legacy row needs a 10- or 12-digit 发票代码 (got %(v)s).") % {"v": code or "∅"}
    if not digital and not is_digits(number, 8):
        return None, _("A legacy row needs an 8-digit 发票号码 (got %(v)s).") % {"v": number or "∅"}
    issued_at = _parse_date(raw.get("issued_at"))
    if issued_at is None:
        return None, _("Bad 开票日期 %(v)s.") % {"v": _text(raw, "issued_at") or "∅"}
    status_label = _text(raw, "status")
    status = vocab.STATUS_LOOKUP.get(normalize_text(status_label))
    if status is None:
        return None, _("Unknown 发票状态 %(v)s.") % {"v": status_label or "∅"}
    risk_label = _text(raw, "risk")
    risk_level = vocab.RISK_LOOKUP.get(normalize_text(risk_label)) if risk_label else ""
    if risk_level is None:
        return None, _("Unknown 发票风险等级 %(v)s.") % {"v": risk_label}
    amounts = {}
    for key, label in (("amount", "金额"), ("tax_amount", "税额"), ("total", "价税合计")):
        try:
            amounts[key] = money(_text(raw, key))
        except ValueError:
            return None, _("Bad %(col)s %(v)s.") % {"col": label, "v": _text(raw, key) or "∅"}
    positive = normalize_text(_text(raw, "positive"))
    direction = vocab.POSITIVE_LOOKUP.get(positive) or ("red" if amounts["total"] < 0 else "blue")
    remarks = _text(raw, "remarks")
    link = vocab.find_red_link(remarks)
    return ParsedRow(
        code=code, number=number, kind=kind, direction=direction, status=status, issued_at=issued_at,
        buyer_tax_id=normalize_text(_text(raw, "buyer_tax_id")), buyer_name=_text(raw, "buyer_name")[:200],
        amount=amounts["amount"], tax_amount=amounts["tax_amount"], total=amounts["total"],
        original_number=link.number, drawer=_text(raw, "drawer")[:50], remarks=remarks,
        seller_tax_id=normalize_text(_text(raw, "seller_tax_id")), original_code=link.code, risk_level=risk_level,
    ), ""


def raw_for_json(raw):
    return {key: _text(raw, key) for key in raw}
