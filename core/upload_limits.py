"""Bounded uploads: an XLSX's zip members and a CSV's size, lines, fields and columns are checked against
settings.UPLOAD_LIMITS before anything parses the file, so a decompression bomb or a million-column header is
refused in the request (a form error / 400 naming the limit) instead of exhausting the web process or failing
later in the worker. Also the one place that reads an XLSX sheet's header row within a bounded number of rows
and bytes (openpyxl would load sharedStrings.xml whole and walk every empty row before it)."""
import csv
import re
import zipfile
import zlib
from dataclasses import dataclass, fields
from xml.etree import ElementTree

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.xlsx_dimension import SheetScan

MB = 1 << 20
DEFAULTS = {
    "csv_max_bytes": 512 * MB,
    "csv_max_line_bytes": 64 * 1024,
    "csv_max_field_chars": 16 * 1024,
    "max_columns": 100,
    "xlsx_max_members": 64,
    "xlsx_max_member_bytes": 512 * MB,
    "xlsx_max_total_bytes": 1024 * MB,
    "xlsx_max_shared_strings_bytes": 128 * MB,
    # Ratios are checked on members over ratio_floor_bytes only: a tiny styles.xml may compress 100:1 honestly.
    "xlsx_max_ratio": 100,
    "xlsx_ratio_floor_bytes": 1 * MB,
    "header_max_rows": 50,
    "header_max_bytes": 1 * MB,
}
MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CELL_REF = re.compile(r"([A-Z]+)(\d*)$")


@dataclass(frozen=True)
class Limits:
    csv_max_bytes: int
    csv_max_line_bytes: int
    csv_max_field_chars: int
    max_columns: int
    xlsx_max_members: int
    xlsx_max_member_bytes: int
    xlsx_max_total_bytes: int
    xlsx_max_shared_strings_bytes: int
    xlsx_max_ratio: float
    xlsx_ratio_floor_bytes: int
    header_max_rows: int
    header_max_bytes: int


def limits():
    configured = {**DEFAULTS, **getattr(settings, "UPLOAD_LIMITS", {})}
    return Limits(**{f.name: configured[f.name] for f in fields(Limits)})


def _refuse(field, message):
    raise ValidationError({field: [message]})


def _size(n):
    return f"{n / MB:,.1f} MB" if n >= MB else f"{n:,} B"


def is_xlsx(fileobj):
    head = fileobj.read(4)
    fileobj.seek(0)
    return head == b"PK\x03\x04"


def check_upload(fileobj, *, field="file"):
    """Refuse (ValidationError on `field`) a file that breaks a limit; the file is left at position 0."""
    try:
        if is_xlsx(fileobj):
            check_xlsx(fileobj, field=field)
        else:
            check_csv(fileobj, field=field)
    finally:
        fileobj.seek(0)


def check_xlsx(fileobj, *, field="file", lim=None):
    lim = lim or limits()
    try:
        members = zipfile.ZipFile(fileobj).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        _refuse(field, _("The file is not a readable XLSX workbook (%(e)s).") % {"e": exc})
    if len(members) > lim.xlsx_max_members:
        _refuse(field, _("The workbook holds %(n)s parts; the limit is %(limit)s (upload limit xlsx_max_members).")
                % {"n": len(members), "limit": lim.xlsx_max_members})
    total = 0
    for member in members:
        size = member.file_size
        total += size
        limit = (lim.xlsx_max_shared_strings_bytes if member.filename.endswith("sharedStrings.xml")
                 else lim.xlsx_max_member_bytes)
        if size > limit:
            _refuse(field, _("The workbook part %(name)s unpacks to %(size)s; the limit is %(limit)s "
                             "(upload limit %(key)s).") % {
                "name": member.filename, "size": _size(size), "limit": _size(limit),
                "key": "xlsx_max_shared_strings_bytes" if limit == lim.xlsx_max_shared_strings_bytes
                else "xlsx_max_member_bytes"})
        if size > lim.xlsx_ratio_floor_bytes and size > lim.xlsx_max_ratio * max(member.compress_size, 1):
            _refuse(field, _("The workbook part %(name)s is compressed %(ratio)s:1; the limit is %(limit)s:1 "
                             "(upload limit xlsx_max_ratio), as a decompression bomb would be.") % {
                "name": member.filename, "ratio": f"{size // max(member.compress_size, 1):,}",
                "limit": lim.xlsx_max_ratio})
    if total > lim.xlsx_max_total_bytes:
        _refuse(field, _("The workbook unpacks to %(size)s; the limit is %(limit)s (upload limit "
                         "xlsx_max_total_bytes).") % {"size": _size(total), "limit": _size(lim.xlsx_max_total_bytes)})
    _check_well_formed(fileobj, members, field)


def _check_well_formed(fileobj, members, field):
    """Every XML part parses (expat without handlers, streamed: bounded memory, hundreds of MB a second), so a
    damaged sheet is refused at upload instead of failing the run in the worker; in the same pass every
    worksheet's rows are counted against its declared dimension (core/xlsx_dimension.py)."""
    from xml.parsers import expat

    zf = zipfile.ZipFile(fileobj)
    for member in members:
        if not member.filename.endswith((".xml", ".rels")):
            continue
        parser = expat.ParserCreate()
        scan = SheetScan() if member.filename.startswith("xl/worksheets/") else None
        try:
            with zf.open(member) as raw:
                while block := raw.read(MB):
                    parser.Parse(block, False)
                    if scan:
                        scan.feed(block)
            parser.Parse(b"", True)
        except (expat.ExpatError, zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError,
                RuntimeError) as exc:  # the last two: an unsupported compression method, an encrypted part
            _refuse(field, _("The workbook part %(name)s is damaged (%(e)s).") % {"name": member.filename, "e": exc})
        if scan:
            scan.close()
            scan.check(field, _sheet_names(zf).get(member.filename, member.filename))


def _sheet_names(zf):
    """Worksheet part -> the sheet's name, for messages; {} when the workbook does not say."""
    try:
        workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError):
        return {}
    targets = {rel.get("Id"): rel.get("Target") or "" for rel in rels.iter(f"{PKG_REL_NS}Relationship")}
    names = {}
    for sheet in workbook.iter(f"{MAIN_NS}sheet"):
        target = targets.get(sheet.get(f"{REL_NS}id"), "")
        names[target.lstrip("/") if target.startswith("/") else f"xl/{target}"] = sheet.get("name")
    return names


def check_csv(fileobj, *, field="file", lim=None):
    """Size and physical line length of the whole file, field size and column count of every line long enough to
    break them, in one streaming pass (about a second for 200 MB)."""
    lim = lim or limits()
    fileobj.seek(0, 2)
    size = fileobj.tell()
    fileobj.seek(0)
    if size > lim.csv_max_bytes:
        _refuse(field, _("The file is %(size)s; the limit is %(limit)s (upload limit csv_max_bytes).")
                % {"size": _size(size), "limit": _size(lim.csv_max_bytes)})
    for line_no, line in enumerate(_bounded_lines(fileobj, lim.csv_max_line_bytes, field), start=1):
        # Only a line long enough to break a rule is split (commas inside quotes count here, the csv module
        # decides); a record whose quoted field spans lines is bounded by the worker's reader (csv_reader).
        if len(line) > lim.csv_max_field_chars or line.count(b",") >= lim.max_columns:
            _check_line(line, lim, field, line_no)
    fileobj.seek(0)


def _bounded_lines(fileobj, max_line, field):
    line_no = 0
    while True:
        line = fileobj.readline(max_line + 1)
        if not line:
            return
        line_no += 1
        if len(line) > max_line and not line.endswith(b"\n"):
            _refuse(field, _("Line %(line)s is longer than %(limit)s bytes (upload limit csv_max_line_bytes).")
                    % {"line": f"{line_no:,}", "limit": f"{max_line:,}"})
        yield line


def _check_line(line, lim, field, line_no):
    csv.field_size_limit(max(lim.csv_max_line_bytes, lim.csv_max_field_chars) + 1)
    for row in csv.reader([line.decode("utf-8", "replace")]):
        _check_row(row, lim, field, line_no)


def _check_row(row, lim, field, line_no):
    if len(row) > lim.max_columns:
        _refuse(field, _("Line %(line)s has %(n)s columns; the limit is %(limit)s (upload limit max_columns).")
                % {"line": f"{line_no:,}", "n": f"{len(row):,}", "limit": lim.max_columns})
    longest = max(map(len, row), default=0)
    if longest > lim.csv_max_field_chars:
        _refuse(field, _("Line %(line)s has a field of %(n)s characters; the limit is %(limit)s (upload limit "
                         "csv_max_field_chars).") % {"line": f"{line_no:,}", "n": f"{longest:,}",
                                                     "limit": f"{lim.csv_max_field_chars:,}"})


class BoundedCsvReader:
    """csv.reader over decoded lines (with its line_num) that turns the csv module's errors (a field over
    csv_max_field_chars, a NUL byte) and records over max_columns into ValidationErrors naming the rule."""

    def __init__(self, lines, *, field="file", lim=None):
        self.lim, self.field = lim or limits(), field
        csv.field_size_limit(self.lim.csv_max_field_chars)
        self.reader = csv.reader(lines)

    @property
    def line_num(self):
        return self.reader.line_num

    def __iter__(self):
        return self

    def __next__(self):
        try:
            row = next(self.reader)
        except csv.Error as exc:
            _refuse(self.field, _("Record at line %(line)s cannot be read: %(e)s (upload limit csv_max_field_chars "
                                  "is %(limit)s characters).") % {"line": f"{self.reader.line_num:,}", "e": exc,
                                                                  "limit": f"{self.lim.csv_max_field_chars:,}"})
        _check_row(row, self.lim, self.field, self.reader.line_num)
        return row


def find_header(rows, *, field="file", lim=None):
    """(index from 1, row) of the first non-blank row among the first header_max_rows."""
    lim = lim or limits()
    for index, row in enumerate(rows, start=1):
        if any(v not in ("", None) and (not isinstance(v, str) or v.strip()) for v in row):
            return index, row
        if index >= lim.header_max_rows:
            _refuse(field, _("No header row within the first %(limit)s rows (upload limit header_max_rows).")
                    % {"limit": lim.header_max_rows})
    _refuse(field, _("The file is empty."))


class _Budget:
    """A read-only stream that refuses to hand out more than `limit` bytes in all."""

    def __init__(self, raw, limit, on_exceed):
        self.raw, self.left, self.on_exceed = raw, limit, on_exceed

    def read(self, n=-1):
        n = 64 * 1024 if n is None or n < 0 else n
        data = self.raw.read(min(n, self.left + 1))
        self.left -= len(data)
        if self.left < 0:
            self.on_exceed()
        return data


def _column_index(ref, fallback):
    match = CELL_REF.match(ref or "")
    if not match:
        return fallback
    index = 0
    for ch in match.group(1):
        index = index * 26 + ord(ch) - 64
    return index - 1


def _sheet_member(zf, sheet_name):
    """The zip path of the sheet named sheet_name, else of the first sheet."""
    workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    sheets = [(s.get("name"), s.get(f"{REL_NS}id")) for s in workbook.iter(f"{MAIN_NS}sheet")]
    if not sheets:
        raise ValueError("no sheet")
    rel_id = next((rid for name, rid in sheets if name == sheet_name), sheets[0][1])
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.iter(f"{PKG_REL_NS}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    raise ValueError(f"sheet relation {rel_id} not found")


def _shared_strings(zf, wanted, lim, field):
    """Only the shared strings the header uses (the first max(wanted)+1 entries), read within the byte budget."""
    if not wanted or "xl/sharedStrings.xml" not in zf.namelist():
        return {}
    last, found, index = max(wanted), {}, -1

    def too_far():
        _refuse(field, _("The header's text is not within the first %(limit)s of the workbook's strings "
                         "(upload limit header_max_bytes).") % {"limit": _size(lim.header_max_bytes)})

    with zf.open("xl/sharedStrings.xml") as raw:
        for _event, el in ElementTree.iterparse(_Budget(raw, lim.header_max_bytes, too_far), events=("end",)):
            if el.tag == f"{MAIN_NS}si":
                index += 1
                if index in wanted:
                    found[index] = "".join(t.text or "" for t in el.iter(f"{MAIN_NS}t"))
                el.clear()
                if index >= last:
                    break
    return found


def xlsx_header(fileobj, sheet_name, *, field="file", lim=None):
    """(row number, header cells) of the first non-blank row of the sheet, reading at most header_max_rows rows
    and header_max_bytes of the sheet's XML; a malformed workbook is a ValidationError, never a ParseError."""
    lim = lim or limits()
    try:
        zf = zipfile.ZipFile(fileobj)
        member = _sheet_member(zf, sheet_name)
        return _read_header(zf, member, lim, field)
    except ValidationError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, ElementTree.ParseError) as exc:
        _refuse(field, _("The file is not a readable XLSX workbook (%(e)s).") % {"e": exc})
    finally:
        fileobj.seek(0)


def _read_header(zf, member, lim, field):
    def too_far():
        _refuse(field, _("No header row within the first %(limit)s of the sheet (upload limit header_max_bytes).")
                % {"limit": _size(lim.header_max_bytes)})

    row_no = 0
    with zf.open(member) as raw:
        for _event, el in ElementTree.iterparse(_Budget(raw, lim.header_max_bytes, too_far), events=("end",)):
            if el.tag != f"{MAIN_NS}row":
                continue
            row_no = int(el.get("r") or row_no + 1)
            cells = {}
            for position, cell in enumerate(el.iter(f"{MAIN_NS}c")):
                column = _column_index(cell.get("r"), position)
                if column >= lim.max_columns:
                    _refuse(field, _("The header row has more than %(limit)s columns (upload limit max_columns).")
                            % {"limit": lim.max_columns})
                kind = cell.get("t")
                if kind == "inlineStr":
                    value = "".join(t.text or "" for t in cell.iter(f"{MAIN_NS}t"))
                else:
                    v = cell.find(f"{MAIN_NS}v")
                    value = (v.text or "") if v is not None else ""
                    if kind == "s" and value:
                        value = int(value)
                cells[column] = (kind, value)
            el.clear()
            if any(value not in ("", None) for _kind, value in cells.values()):
                wanted = {value for kind, value in cells.values() if kind == "s" and value != ""}
                strings = _shared_strings(zf, wanted, lim, field)
                header = [""] * (max(cells) + 1)
                for column, (kind, value) in cells.items():
                    header[column] = strings.get(value, "") if kind == "s" and value != "" else str(value).strip()
                return row_no, header
            if row_no >= lim.header_max_rows:
                break
    _refuse(field, _("No header row within the first %(limit)s rows of the sheet (upload limit header_max_rows).")
            % {"limit": lim.header_max_rows})
