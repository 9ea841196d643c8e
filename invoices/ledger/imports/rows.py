"""How many rows an upload holds, cheaply, to choose between the inline import and the background one. An
estimate: a CSV's line breaks (a quoted field may hold one), an XLSX sheet's declared dimension."""
import io

from openpyxl import load_workbook


def estimate_rows(upload, file_format):
    """Data rows (the header not counted) of an upload already checked by core.upload_limits."""
    upload.seek(0)
    try:
        if file_format == "xlsx":
            sheet = load_workbook(io.BytesIO(upload.read()), read_only=True).active
            total = sheet.max_row or sum(1 for _ in sheet.iter_rows(values_only=True))
        else:
            total, last = 0, b"\n"
            for chunk in upload.chunks():
                total += chunk.count(b"\n")
                last = chunk[-1:] or last
            total += last != b"\n"  # a last line without a line break
        return max(total - 1, 0)
    finally:
        upload.seek(0)
