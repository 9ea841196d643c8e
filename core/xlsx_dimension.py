"""A sheet's declared size (<dimension ref="A1:S178"/>) against the rows it really holds.

openpyxl's read-only mode takes the dimension on trust: a sheet of 177 rows declaring "A1:S1" reads as one row
(a reconciliation then proposes every invoice missing), and 100,000 rows declaring one slip past a row cap that
reads the dimension. Two guards: at upload, the sheet's XML (already streamed once for well-formedness) is scanned
for its row elements, numbered as openpyxl numbers them, and a file whose dimension disagrees is refused naming
both numbers; in the worker, SheetRows reads with the dimension dropped, counts the rows as read, and refuses a
disagreement again (a file stored before this check, or one changed since)."""
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl.utils.cell import range_boundaries

# A start tag, with any namespace prefix, up to its closing ">" (quoted attribute values may hold ">").
_PREFIX = rb"(?:[^\s<>/:!?]+:)?"
ROW_TAG = re.compile(rb"<" + _PREFIX + rb"row(?=[\s/>])((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
DIMENSION_TAG = re.compile(rb"<" + _PREFIX + rb"dimension(?=[\s/>])((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
ROW_NUMBER = re.compile(rb"(?:^|\s)r\s*=\s*[\"'](\d+)[\"']")
REF = re.compile(rb"(?:^|\s)ref\s*=\s*[\"']([^\"']*)[\"']")


def declared_rows(ref):
    """The last row a dimension ref ("A1:S178", "A1") declares, or None when it declares none."""
    try:
        return range_boundaries(ref)[3]
    except (ValueError, TypeError):
        return None


def refuse(field, sheet, ref, declared, read):
    raise ValidationError({field: [_(
        "The sheet %(sheet)s declares %(declared)s rows (its dimension %(ref)s) but %(read)s rows were read: a "
        "workbook's declared size must match its rows (the file was altered or written by a faulty program; save "
        "it again from Excel or WPS).") % {"sheet": sheet, "ref": ref, "declared": f"{declared:,}",
                                           "read": f"{read:,}"}]})


class SheetScan:
    """Fed a worksheet part's bytes block by block: its dimension and its last row as openpyxl numbers rows (a
    row's r attribute, else the one before plus one). Only whole tags are matched: a block is cut before its
    last "<" (which cannot occur inside an attribute or text) and the rest carried to the next."""

    def __init__(self):
        self.carry, self.ref, self.last_row, self.rows = b"", None, 0, 0

    def feed(self, block):
        data = self.carry + block
        cut = data.rfind(b"<")
        self.carry = data[cut:] if cut >= 0 else b""
        self._scan(data[:cut] if cut >= 0 else data)

    def close(self):
        self._scan(self.carry)
        self.carry = b""

    def _scan(self, data):
        if self.ref is None and b"dimension" in data:
            tag = DIMENSION_TAG.search(data)
            ref = tag and REF.search(tag.group(1))
            if ref:
                self.ref = ref.group(1).decode("ascii", "replace")
        for tag in ROW_TAG.finditer(data):
            number = ROW_NUMBER.search(tag.group(1))
            current = int(number.group(1)) if number else self.last_row + 1
            # A row numbered before the last (a hostile file) cannot hide the last: the highest counts.
            self.rows = max(self.rows, current)
            self.last_row = current

    def check(self, field, sheet):
        declared = declared_rows(self.ref) if self.ref else None
        if declared is not None and declared != self.rows:
            refuse(field, sheet, self.ref, declared, self.rows)


def sheet_rows(sheet, *, min_row=1, field="file"):
    """The rows (tuples of values) of an openpyxl read-only sheet from min_row, with its declared dimension
    dropped so none is cut off; after the last, a sheet whose dimension disagrees with the rows read is refused."""
    declared = sheet.max_row
    try:
        ref = sheet.calculate_dimension()
    except ValueError:  # no dimension, or one naming no column
        ref = f"?{declared}"
    sheet.reset_dimensions()
    read = min_row - 1
    for read, row in enumerate(sheet.iter_rows(min_row=min_row, values_only=True), start=min_row):
        yield row
    if declared is not None and read != declared:
        refuse(field, sheet.title, ref, declared, read)
