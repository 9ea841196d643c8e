"""A stored import file read as a stream of small tablib Datasets (the header and at most `size` rows each), so a
pass holds one chunk, not the file: a whole-file Dataset, plus every row's result, grew a worker past 1.5 GB on
files within every upload limit. CSV through the bounded csv reader, XLSX through openpyxl's read-only mode with
its declared dimension dropped (core/xlsx_dimension.py). A chunk ends only where the next row starts another
record (`key`), so an invoice's lines stay in one chunk when they are adjacent, as the export writes them."""
import io

import tablib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from core.upload_limits import BoundedCsvReader
from core.xlsx_dimension import sheet_rows


def _csv_rows(stored):
    text = io.TextIOWrapper(stored, encoding="utf-8-sig", newline="")
    try:
        yield from BoundedCsvReader(text)
    except UnicodeDecodeError as exc:
        raise ValidationError(_("The file is not valid UTF-8 text (%(e)s).") % {"e": exc}) from exc
    finally:
        text.detach()


def _xlsx_rows(stored):
    workbook = load_workbook(stored, read_only=True, data_only=True)
    try:
        yield from sheet_rows(workbook.active)
    finally:
        workbook.close()


def _fitted(row, width, number):
    """The row as long as the header: short rows padded (a read-only sheet stops at a row's last cell); cells past
    the header must be empty."""
    row = list(row)
    if len(row) > width:
        if any(v not in (None, "") for v in row[width:]):
            raise ValidationError(_("Row %(row)s has %(n)s cells; the header has %(width)s columns.")
                                  % {"row": number, "n": len(row), "width": width})
        return row[:width]
    return row + [""] * (width - len(row))


def dataset_chunks(stored, file_format, *, size, key=None):
    """Yield (rows before this chunk, Dataset) for the file's rows after its header."""
    rows = _xlsx_rows(stored) if file_format == "xlsx" else _csv_rows(stored)
    try:
        yield from _chunks(rows, size, key)
    finally:
        rows.close()  # while the stored file is still open: its wrapper is detached, the workbook closed


def _chunks(rows, size, key):
    header = next(rows, None)
    if header is None:
        return
    headers = ["" if h is None else str(h) for h in header]
    width = len(headers)
    done, chunk, last = 0, [], None
    for number, row in enumerate(rows, start=2):  # the row as a spreadsheet numbers it: the header is row 1
        if not any(v not in (None, "") for v in row):
            continue
        row = _fitted(row, width, number)
        current = key(dict(zip(headers, row))) if key else None
        if len(chunk) >= size and (key is None or current != last):
            yield done, tablib.Dataset(*chunk, headers=headers)
            done += len(chunk)
            chunk = []
        chunk.append(row)
        last = current
    if chunk or not done:
        yield done, tablib.Dataset(*chunk, headers=headers)
