"""The invoice as OFD (GB/T 33190): a zip with OFD.xml pointing at Doc_0/Document.xml, pages of text objects laid
out like the PDF (every column of every line, 备注 whole), and the invoice XML attached, which is what readers of
数电 OFD files extract the data from."""
import io
import zipfile
from xml.sax.saxutils import escape, quoteattr

from invoices.platform.render.document import plain
from invoices.platform.render.pdf import LINES_PER_PAGE
from invoices.platform.render.xml import render_xml

NS = "http://www.ofdspec.org/2016"


def _ofd_xml(doc):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ofd:OFD xmlns:ofd="{NS}" Version="1.0" DocType="OFD">
  <ofd:DocBody>
    <ofd:DocInfo>
      <ofd:DocID>{escape(doc.number)}</ofd:DocID>
      <ofd:Title>{escape(doc.title)}</ofd:Title>
      <ofd:Author>{escape(doc.seller_name)}</ofd:Author>
      <ofd:CreationDate>{doc.issued_at.date().isoformat()}</ofd:CreationDate>
    </ofd:DocInfo>
    <ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>
  </ofd:DocBody>
</ofd:OFD>
"""


def _document_xml(pages):
    listed = "".join(f'<ofd:Page ID="{i + 1}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(pages))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ofd:Document xmlns:ofd="{NS}">
  <ofd:CommonData>
    <ofd:MaxUnitID>{1000 + 200 * pages}</ofd:MaxUnitID>
    <ofd:PageArea><ofd:PhysicalBox>0 0 241 140</ofd:PhysicalBox></ofd:PageArea>
    <ofd:PublicRes>PublicRes.xml</ofd:PublicRes>
  </ofd:CommonData>
  <ofd:Pages>{listed}</ofd:Pages>
  <ofd:Attachments>Attachs/Attachments.xml</ofd:Attachments>
</ofd:Document>
"""


def _public_res():
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ofd:Res xmlns:ofd="{NS}" BaseLoc="Res">
  <ofd:Fonts><ofd:Font ID="2" FontName="WenQuanYi Zen Hei" FamilyName="WenQuanYi Zen Hei"/></ofd:Fonts>
</ofd:Res>
"""


def _ems(text):
    """Width in ems: a Chinese character is one, a Latin one half."""
    return sum(0.5 if ch.isascii() else 1 for ch in text)


def wrap(text, ems):
    """The text in lines of at most `ems` ems (no font metrics here; a Latin character counts half)."""
    lines, current = [], ""
    for char in text:
        if current and _ems(current + char) > ems:
            lines.append(current)
            current = char
        else:
            current += char
    return lines + ([current] if current else [])


# Columns of the lines table in mm (left or right edge, alignment), like the PDF's.
COLUMNS = ((12, "left"), (72, "left"), (100, "left"), (136, "right"), (160, "right"), (184, "right"),
           (204, "right"), (229, "right"))
HEADINGS = ("项目名称", "规格型号", "单位", "数量", "单价", "金额", "税率/征收率", "税额")
SIZE = 3.2  # mm
REMARK_EMS = int(205 / SIZE)
REMARKS_IN_BOX = 4
CONTINUED_LINES = 24


def _title_block(doc, page, pages):
    texts = [(80, 12, doc.title)]
    rows = ([f"发票代码：{doc.code}"] if doc.code else []) + [f"发票号码：{doc.number}", f"开票日期：{doc.issued_date}"]
    texts += [(170, 8 + 5 * i, row) for i, row in enumerate(rows)]
    if pages > 1:
        texts.append((200, 138, f"第{page}页 共{pages}页"))
    return texts


def _lines_page(doc, page, pages, chunk, last, remarks, continued_on):
    texts = _title_block(doc, page, pages)
    texts += [(12, 28, f"购买方 名称：{doc.buyer_name}"), (12, 34, f"统一社会信用代码/纳税人识别号：{doc.buyer_tax_id}"),
              (122, 28, f"销售方 名称：{doc.seller_name}"), (122, 34, f"统一社会信用代码/纳税人识别号：{doc.seller_tax_id}")]
    texts += [(x, 44, heading, align) for (x, align), heading in zip(COLUMNS, HEADINGS)]
    y = 50
    for line in chunk:
        values = (line.printed_name, line.spec, line.unit, plain(line.quantity), plain(line.unit_price),
                  doc.figures(line.amount), line.rate, doc.figures(line.tax_amount))
        texts += [(x, y, value, align) for (x, align), value in zip(COLUMNS, values) if value]
        y += 5
    if last:
        texts += [(12, 100, "合计"), (184, 100, doc.money(doc.amount), "right"),
                  (229, 100, doc.money(doc.tax_amount), "right"),
                  (12, 108, f"价税合计（大写）{doc.total_in_capitals}"), (170, 108, f"（小写）{doc.money(doc.total)}")]
        texts.append((12, 116, "备注"))
        texts += [(24, 116 + 4 * i, part) for i, part in enumerate(remarks)]
        if continued_on:
            texts.append((24, 116 + 4 * len(remarks), f"（备注续见第{continued_on}页）"))
        texts.append((12, 136, f"开票人：{doc.drawer}"))
    return texts


def _continued_page(doc, page, pages, parts):
    return _title_block(doc, page, pages) + [(12, 24, "备注（续）")] + [
        (24, 30 + 4 * i, part) for i, part in enumerate(parts)]


def _text_object(unit_id, x, y, text, align="left"):
    width = _ems(text) * SIZE
    left = x - width if align == "right" else x
    return (f'      <ofd:TextObject ID="{unit_id}" Boundary="{left:g} {y - 4} {max(width, 1):g} 5" Font="2" '
            f'Size="{SIZE}"><ofd:TextCode X="0" Y="4">{escape(text)}</ofd:TextCode></ofd:TextObject>')


def _page_xml(texts, first_id):
    objects = "\n".join(_text_object(first_id + i, *text) for i, text in enumerate(texts))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ofd:Page xmlns:ofd="{NS}">
  <ofd:Content><ofd:Layer ID="{first_id - 1}">
{objects}
  </ofd:Layer></ofd:Content>
</ofd:Page>
"""


def pages(doc):
    """Each page's text objects: (x, y, text[, align]) in mm from the top left. Lines 8 to a page, totals on the
    last page of lines, 备注 whole: what the box does not hold continues on pages of its own."""
    lines = doc.lines or []
    chunks = [lines[i:i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)] or [[]]
    remarks = [part for remark in doc.remark_lines for part in wrap(remark, REMARK_EMS)]
    boxed, rest = (remarks, []) if len(remarks) <= REMARKS_IN_BOX else (
        remarks[:REMARKS_IN_BOX - 1], remarks[REMARKS_IN_BOX - 1:])
    extra = [rest[i:i + CONTINUED_LINES] for i in range(0, len(rest), CONTINUED_LINES)]
    total = len(chunks) + len(extra)
    result = [_lines_page(doc, n, total, chunk, n == len(chunks), boxed, len(chunks) + 1 if extra else None)
              for n, chunk in enumerate(chunks, start=1)]
    result += [_continued_page(doc, n, total, parts) for n, parts in enumerate(extra, start=len(chunks) + 1)]
    return result


def _attachments(name):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<ofd:Attachments xmlns:ofd="{NS}">
  <ofd:Attachment ID="900" Name={quoteattr(name)} Format="xml"><ofd:FileLoc>{escape(name)}</ofd:FileLoc></ofd:Attachment>
</ofd:Attachments>
"""


def render_ofd(doc) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("OFD.xml", _ofd_xml(doc))
        laid_out = pages(doc)
        archive.writestr("Doc_0/Document.xml", _document_xml(len(laid_out)))
        archive.writestr("Doc_0/PublicRes.xml", _public_res())
        for index, texts in enumerate(laid_out):
            archive.writestr(f"Doc_0/Pages/Page_{index}/Content.xml", _page_xml(texts, 10 + 200 * index))
        archive.writestr("Doc_0/Attachs/Attachments.xml", _attachments("original_invoice.xml"))
        archive.writestr("Doc_0/Attachs/original_invoice.xml", render_xml(doc))
    return buffer.getvalue()
