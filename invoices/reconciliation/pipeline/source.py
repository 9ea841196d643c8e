"""Resumable row sources over an export file: a chunk of the run reads rows from a saved position and reports
the position after the last row it took, so the next chunk (another task, maybe another worker) goes on from
there. CSV positions are byte offsets (a record ends at a newline outside quotes; neither UTF-8 nor GB18030
uses the bytes of '\\n' or '"' inside a multi-byte character), XLSX positions are sheet rows (openpyxl has to
parse the skipped rows again, which bounds how big an XLSX one chunk can resume into; CSV seeks)."""
import itertools
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.upload_limits import BoundedCsvReader, find_header, xlsx_header
from invoices.platform import export_vocab as vocab
from invoices.reconciliation.pipeline.reader import (
    _iter_xlsx,
    header_columns,
    sniff_format,
)

BLOCK_BYTES = 1 << 20


def _blank(row):
    return not any(v not in ("", None) and (not isinstance(v, str) or v.strip()) for v in row)


class CsvSource:
    def __init__(self, fileobj, encoding):
        self.fileobj, self.encoding = fileobj, encoding
        self.fmt = f"csv ({encoding})"
        lines, lengths = self._lines(0)
        reader = BoundedCsvReader(lines)
        _index, header = find_header(reader)
        self.header, self.columns = header, header_columns(header)
        self.start = sum(lengths[:reader.line_num])

    def _lines(self, offset):
        """Decoded lines from a byte offset, and the byte length of every line handed out (C-level loops)."""
        self.fileobj.seek(offset)
        lengths = []
        encoding, fileobj = self.encoding, self.fileobj

        def blocks():
            while block := fileobj.readlines(BLOCK_BYTES):
                lengths.extend(map(len, block))
                try:
                    yield list(map(bytes.decode, block, itertools.repeat(encoding)))
                except UnicodeDecodeError as exc:
                    raise ValidationError({"file": [_("The file is not valid %(enc)s text (%(e)s).") % {
                        "enc": encoding, "e": exc}]})

        return itertools.chain.from_iterable(blocks()), lengths

    def estimate_rows(self):
        """About how many rows the file holds, from the size of its first megabyte's lines (for staging.parts_for)."""
        self.fileobj.seek(0, 2)
        size = self.fileobj.tell()
        self.fileobj.seek(self.start)
        sample = self.fileobj.read(BLOCK_BYTES)
        lines = sample.count(b"\n") + (not sample.endswith(b"\n"))
        return lines if len(sample) < BLOCK_BYTES else int((size - self.start) * lines / len(sample))

    def rows(self, position, limit):
        """Yield up to `limit` non-blank rows (lists of str) from `position`; then self.end is where to resume
        and self.exhausted says whether the file is done."""
        offset = position or self.start
        lines, lengths = self._lines(offset)
        reader = BoundedCsvReader(lines)
        taken, self.exhausted = 0, True
        for row in reader:
            if not "".join(row).strip():
                continue
            yield row
            taken += 1
            if taken >= limit:
                self.exhausted = False
                break
        self.end = offset + sum(lengths[:reader.line_num])


    def parts(self, position, limit):
        """The raw bytes of up to `limit` lines from `position`, in pieces of about BLOCK_BYTES each cut after a
        newline (the last one after the limit-th); once they are all taken, self.end and self.exhausted are set
        as rows() sets them. For load_block, which hands them to PostgreSQL's COPY unparsed, each as soon as it
        is read."""
        offset = position or self.start
        self.fileobj.seek(offset)
        lines, carry, sent, self.exhausted = 0, b"", 0, True
        while chunk := self.fileobj.read(BLOCK_BYTES):
            data = carry + chunk if carry else chunk
            count = data.count(b"\n")
            if lines + count >= limit:
                cut = -1
                for _n in range(limit - lines):
                    cut = data.index(b"\n", cut + 1)
                carry = b""
                sent += cut + 1
                self.exhausted = False
                yield data[:cut + 1]
                break
            last = data.rfind(b"\n")
            carry = data[last + 1:]
            if last >= 0:
                lines += count
                sent += last + 1
                yield data[:last + 1]
        if carry:
            sent += len(carry)
            yield carry
        self.end = offset + sent

    def block(self, position, limit):
        """All of parts() at once."""
        return b"".join(self.parts(position, limit))


def _xlsx_text(value):
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return "" if value is None else str(value)


class XlsxSource:
    def __init__(self, fileobj):
        self.fileobj, self.fmt = fileobj, "xlsx"
        self.start, header = xlsx_header(fileobj, vocab.SHEET_NAME)
        self.columns = header_columns(header)

    def estimate_rows(self):
        """The sheet's row count as its dimension records it, or a guess from the file's size when it has none."""
        from openpyxl import load_workbook

        self.fileobj.seek(0)
        workbook = load_workbook(self.fileobj, read_only=True, data_only=True)
        try:
            sheet = workbook[vocab.SHEET_NAME] if vocab.SHEET_NAME in workbook.sheetnames else workbook.worksheets[0]
            rows = sheet.max_row
        finally:
            workbook.close()
        if rows is None:
            self.fileobj.seek(0, 2)
            rows = self.fileobj.tell() // 200  # about what a row of the platform's export takes, zipped
        return max(0, rows - self.start)

    def rows(self, position, limit):

        done = position or self.start
        self.fileobj.seek(0)
        taken, self.exhausted = 0, True
        rows = _iter_xlsx(self.fileobj, min_row=done + 1)
        try:
            for cells in rows:
                done += 1
                row = [_xlsx_text(v) for v in cells]
                if _blank(row):
                    continue
                yield row
                taken += 1
                if taken >= limit:
                    self.exhausted = False
                    break
        finally:
            rows.close()
            self.end = done


def open_source(fileobj):
    fmt, encoding = sniff_format(fileobj)
    return XlsxSource(fileobj) if fmt == "xlsx" else CsvSource(fileobj, encoding)

