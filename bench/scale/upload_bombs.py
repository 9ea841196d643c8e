"""Hostile workbooks for the upload limits (tests/core/test_upload_limits.py) and their benchmark (bench_uploads), built
megabytes and a fraction of a second to build (the repeated block is deflated once, after a full flush, and its
bytes repeated; the CRC is computed over the real content)."""
import struct
import zlib
from xml.sax.saxutils import escape

from invoices.platform.export_vocab import HEADERS

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships"><sheets><sheet name="发票基础信息" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)


def _deflated(prefix, block=b"", times=0, suffix=b""):
    """(compressed bytes, crc32, size) of prefix + block * times + suffix."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)
    piece = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH) if times else b""
    tail = c.compress(suffix) + c.flush()
    crc = zlib.crc32(prefix)
    if times:
        # Long runs are hashed in one call over a bigger buffer: fewer Python steps, same CRC.
        batch = 64
        big = block * batch
        for _n in range(times // batch):
            crc = zlib.crc32(big, crc)
        for _n in range(times % batch):
            crc = zlib.crc32(block, crc)
    crc = zlib.crc32(suffix, crc)
    return head + piece * times + tail, crc, len(prefix) + len(block) * times + len(suffix)


def raw_zip(members):
    """A zip of (name, (compressed, crc, size)) members, deflated, without zip64 (each under 4 GiB)."""
    out, central = bytearray(), bytearray()
    for name, (data, crc, size) in members:
        encoded = name.encode()
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0x800, 8, 0, 0x21, crc, len(data), size,
                           len(encoded), 0) + encoded + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0x800, 8, 0, 0x21, crc, len(data), size,
                               len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0)
    return bytes(out + central + end)


def _row(values, r):
    cells = "".join(f'<c t="inlineStr"><is><t>{escape(str(v))}</t></is></c>' for v in values)
    return f'<row r="{r}">{cells}</row>'.encode()


def workbook(sheet, shared=None):
    members = [("[Content_Types].xml", _deflated(CONTENT_TYPES.encode())),
               ("_rels/.rels", _deflated(ROOT_RELS.encode())),
               ("xl/workbook.xml", _deflated(WORKBOOK.encode())),
               ("xl/_rels/workbook.xml.rels", _deflated(WORKBOOK_RELS.encode())),
               ("xl/worksheets/sheet1.xml", sheet)]
    members.append(("xl/sharedStrings.xml", shared or _deflated(
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="0" uniqueCount="0"/>'.encode())))
    return raw_zip(members)


HEADER = [names[0] for names in HEADERS.values()]
SHEET_HEAD = f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'.encode()
SHEET_TAIL = b"</sheetData></worksheet>"


def sheet_bomb(empty_rows=180_000_000):
    """About 1.08 GB of sheet XML: `empty_rows` empty rows, then the export's header."""
    per_block = 1 << 16
    return workbook(_deflated(SHEET_HEAD, b"<row/>" * per_block, empty_rows // per_block,
                              _row(HEADER, empty_rows + 1) + SHEET_TAIL))


def shared_strings_bomb(megabytes=100):
    """A header that uses the first shared string, and a sharedStrings.xml of `megabytes` MB."""
    head = f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'.encode()
    block = (b"<si><t>" + b"A" * 1000 + b"</t></si>") * 1024  # one deflate piece per ~1 MB keeps the file small
    times = megabytes * (1 << 20) // len(block)
    shared = _deflated(head, block, times, b"</sst>")
    sheet = _deflated(SHEET_HEAD + b'<row r="1"><c t="s"><v>0</v></c></row>' + SHEET_TAIL)
    return workbook(sheet, shared)


def honest_workbook(rows=()):
    """A small well-formed export: the header, then `rows` (lists of cell values)."""
    body = _row(HEADER, 1) + b"".join(_row(values, n) for n, values in enumerate(rows, start=2))
    return workbook(_deflated(SHEET_HEAD + body + SHEET_TAIL))


def damaged_sheet_workbook():
    """A header that parses, then sheet XML that does not."""
    return workbook(_deflated(SHEET_HEAD + _row(HEADER, 1) + b'<row r="2"><c t="inlineStr"><is><t>x</is></c>'
                              + SHEET_TAIL))
