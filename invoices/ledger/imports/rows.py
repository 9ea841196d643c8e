"""How many rows an upload holds, to choose between the inline import and the background one and to apply the row
cap: a CSV's line breaks (a quoted field may hold one, so an estimate), an XLSX sheet's rows as read (streamed; its
declared dimension is not trusted, and one that disagrees is refused, core/xlsx_dimension.py)."""
from openpyxl import load_workbook

from core.xlsx_dimension import sheet_rows


def estimate_rows(upload, file_format):
    """Data rows (the header not counted) of an upload already checked by core.upload_limits."""
    upload.seek(0)
    try:
        if file_format == "xlsx":
            workbook = load_workbook(upload, read_only=True)
            try:
                total = sum(1 for _row in sheet_rows(workbook.active, field="import_file"))
            finally:
                workbook.close()
        else:
            total, last = 0, b"\n"
            for chunk in upload.chunks():
                total += chunk.count(b"\n")
                last = chunk[-1:] or last
            total += last != b"\n"  # a last line without a line break
        return max(total - 1, 0)
    finally:
        upload.seek(0)
