"""The invoice as PDF (reportlab), with the CJK font embedded (core.pdf_fonts) so it renders anywhere and
pdftotext reads its text back. Long invoices continue on further pages; the totals are on the last one of the
lines. 备注 are wrapped in their box (the font shrinks to fit); what still does not fit continues on a page of its
own (备注（续）), never cut. The QR code top left carries the verification fields (document.qr_payload)."""
import io

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from core.pdf_fonts import register_cjk_font
from invoices.platform.render.document import plain

PAGE = (241 * mm, 140 * mm)  # the 数电 invoice's paper size
INK = Color(0.55, 0.27, 0.07)  # the brown of the printed frame
LINES_PER_PAGE = 8
QR_SIZE = 18  # mm
# Columns of the lines table: (heading, left x, right x, alignment)
COLUMNS = [
    ("项目名称", 12, 72, "left"), ("规格型号", 72, 100, "left"), ("单位", 100, 114, "left"),
    ("数量", 114, 136, "right"), ("单价", 136, 160, "right"), ("金额", 160, 184, "right"),
    ("税率/征收率", 184, 204, "right"), ("税额", 204, 229, "right"),
]
# The 备注 box (12 to 28 mm): text from x=24 to 229 mm, first baseline at 24.6 mm (clear of the top rule at every
# size), last no lower than 12.7 mm.
REMARKS_LEFT, REMARKS_WIDTH, REMARKS_TOP, REMARKS_BOTTOM = 24, 205, 24.6, 12.7
REMARK_SIZES = (8, 7.5, 7, 6.5, 6)
# A continuation page's 备注: from 110 mm down to 10 mm, at the box's size (the lines are wrapped for it).
CONTINUED_TOP, CONTINUED_BOTTOM = 110, 10


def _leading(size):
    return size * 1.1 / mm  # points to mm, with a little air between lines


def _capacity(top, bottom, size):
    return int((top - bottom) / _leading(size)) + 1


def _fit(text, font, size, width):
    """The largest size down to 6pt at which the text fits the width, cutting it only below that."""
    while size > 6 and stringWidth(text, font, size) > width:
        size -= 0.5
    while text and stringWidth(text, font, size) > width:
        text = text[:-1]
    return text, size


def wrap(text, font, size, width):
    """The text broken into lines no wider than `width` (points): at a space when a Latin word would be split,
    anywhere between Chinese characters, as a printed invoice breaks them."""
    lines, current = [], ""
    for char in text:
        candidate = current + char
        if current and stringWidth(candidate, font, size) > width:
            cut = current.rfind(" ")
            if char != " " and cut > 0 and current[cut + 1:].isascii() and char.isascii():
                lines.append(current[:cut])
                current = current[cut + 1:] + char
            else:
                lines.append(current)
                current = "" if char == " " else char
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines


def wrap_remarks(remark_lines, font):
    """(size, lines that fit the 备注 box, lines continued on pages of their own)."""
    width = REMARKS_WIDTH * mm
    for size in REMARK_SIZES:
        wrapped = [part for remark in remark_lines for part in wrap(remark, font, size, width)]
        if len(wrapped) <= _capacity(REMARKS_TOP, REMARKS_BOTTOM, size):
            return size, wrapped, []
    # Even the smallest size is too big: the box keeps what fits, less one line that says where the rest is.
    keep = _capacity(REMARKS_TOP, REMARKS_BOTTOM, size) - 1
    return size, wrapped[:keep], wrapped[keep:]


def qr_widget(doc):
    """The QR code of the invoice, carrying document.qr_payload."""
    return QrCodeWidget(doc.qr_payload, barLevel="M")


def _continued_pages(rest, size):
    per_page = _capacity(CONTINUED_TOP, CONTINUED_BOTTOM, size)
    return [rest[i:i + per_page] for i in range(0, len(rest), per_page)]


class _Painter:
    def __init__(self, doc):
        self.doc = doc
        self.font = register_cjk_font()
        self.buffer = io.BytesIO()
        self.c = canvas.Canvas(self.buffer, pagesize=PAGE, pageCompression=1)
        self.c.setTitle(f"{doc.title} {doc.number}")
        self.c.setAuthor(doc.seller_name)
        self.c.setSubject(doc.number)

    def text(self, x, y, value, size=8, align="left", width=None):
        value = str(value)
        if width:
            value, size = _fit(value, self.font, size, width * mm)
        self.c.setFont(self.font, size)
        draw = {"left": self.c.drawString, "right": self.c.drawRightString, "center": self.c.drawCentredString}
        draw[align](x * mm, y * mm, value)

    def qr(self):
        widget = qr_widget(self.doc)
        left, bottom, right, top = widget.getBounds()
        scale = QR_SIZE * mm / (right - left)
        drawing = Drawing(QR_SIZE * mm, QR_SIZE * mm, transform=[scale, 0, 0, scale, 0, 0])
        drawing.add(widget)
        renderPDF.draw(drawing, self.c, 12 * mm, 119.5 * mm)

    def title_block(self, page, pages):
        doc, c = self.doc, self.c
        self.qr()
        c.setFillColor(INK)
        self.text(120.5, 128, doc.title, size=15, align="center", width=95)
        c.setStrokeColor(INK)
        c.line(80 * mm, 126 * mm, 161 * mm, 126 * mm)
        c.setFillColorRGB(0, 0, 0)
        # A legacy invoice is identified by its 发票代码 and 发票号码 together.
        rows = ([f"发票代码：{doc.code}"] if doc.code else []) + [f"发票号码：{doc.number}",
                                                               f"开票日期：{doc.issued_date}"]
        for i, row in enumerate(rows):
            self.text(170, 131 - 4.5 * i, row, size=8)
        if pages > 1:
            self.text(229, 4, f"第{page}页 共{pages}页", size=7, align="right")

    def header(self, page, pages):
        doc, c = self.doc, self.c
        self.title_block(page, pages)
        # Parties
        c.setStrokeColor(INK)
        c.rect(10 * mm, 96 * mm, 221 * mm, 22 * mm)
        c.line(120.5 * mm, 96 * mm, 120.5 * mm, 118 * mm)
        for x, heading, name, tax_id in ((12, "购买方信息", doc.buyer_name, doc.buyer_tax_id),
                                         (122.5, "销售方信息", doc.seller_name, doc.seller_tax_id)):
            self.text(x, 113, heading, size=8)
            self.text(x, 107, f"名称：{name}", size=8, width=105)
            self.text(x, 100, f"统一社会信用代码/纳税人识别号：{tax_id}", size=8, width=105)
        # Lines table heading
        c.rect(10 * mm, 36 * mm, 221 * mm, 60 * mm)
        for heading, left, right, align in COLUMNS:
            x = left if align == "left" else right
            self.text(x, 91, heading, size=8, align=align)

    def name_cell(self, y, name, left, right):
        """The item name, on up to three lines of its 5.5 mm row before anything is cut."""
        width = (right - left - 1) * mm
        if stringWidth(name, self.font, 8) <= width:
            self.text(left, y, name, size=8)
            return
        for size, most in ((7, 2), (6, 2), (5, 3)):
            parts = wrap(name, self.font, size, width)
            if len(parts) <= most or size == 5:
                break
        step = _leading(size)
        top = y + step * (len(parts[:3]) - 1) / 2
        for i, part in enumerate(parts[:3]):
            self.text(left, top - step * i, part, size=size, width=right - left - 1)

    def lines(self, chunk):
        y = 85
        for line in chunk:
            values = [line.printed_name, line.spec, line.unit, plain(line.quantity), plain(line.unit_price),
                      self.doc.figures(line.amount), line.rate, self.doc.figures(line.tax_amount)]
            for index, (value, (_h, left, right, align)) in enumerate(zip(values, COLUMNS)):
                if index == 0:
                    self.name_cell(y, value, left, right)
                else:
                    self.text(left if align == "left" else right, y, value, size=8, align=align,
                              width=right - left - 1)
            y -= 5.5

    def totals(self, remark_size, remark_lines, continued_on):
        doc, c = self.doc, self.c
        self.text(12, 39, "合计", size=8)
        self.text(184, 39, doc.money(doc.amount), size=8, align="right")
        self.text(229, 39, doc.money(doc.tax_amount), size=8, align="right")
        c.rect(10 * mm, 28 * mm, 221 * mm, 8 * mm)
        self.text(12, 30.5, "价税合计（大写）", size=8)
        self.text(42, 30.5, doc.total_in_capitals, size=9, width=120)
        self.text(170, 30.5, f"（小写）{doc.money(doc.total)}", size=9)
        c.rect(10 * mm, 12 * mm, 221 * mm, 16 * mm)
        self.text(12, REMARKS_TOP, "备注", size=8)
        y = REMARKS_TOP
        for part in remark_lines:
            self.text(REMARKS_LEFT, y, part, size=remark_size)
            y -= _leading(remark_size)
        if continued_on:
            self.text(REMARKS_LEFT, y, f"（备注续见第{continued_on}页）", size=remark_size)
        self.text(12, 6, f"开票人：{doc.drawer}", size=8)

    def continued(self, page, pages, parts, size):
        self.title_block(page, pages)
        self.c.setStrokeColor(INK)
        self.c.rect(10 * mm, 8 * mm, 221 * mm, 110 * mm)
        self.text(12, 114, "备注（续）", size=8)
        y = CONTINUED_TOP
        for part in parts:
            self.text(REMARKS_LEFT, y, part, size=size)
            y -= _leading(size)

    def render(self):
        lines = self.doc.lines or []
        chunks = [lines[i:i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)] or [[]]
        size, boxed, rest = wrap_remarks(self.doc.remark_lines, self.font)
        extra = _continued_pages(rest, size)
        pages = len(chunks) + len(extra)
        for page, chunk in enumerate(chunks, start=1):
            self.header(page, pages)
            self.lines(chunk)
            if page == len(chunks):
                self.totals(size, boxed, page + 1 if extra else None)
            self.c.showPage()
        for page, parts in enumerate(extra, start=len(chunks) + 1):
            self.continued(page, pages, parts, size)
            self.c.showPage()
        self.c.save()
        return self.buffer.getvalue()


def render_pdf(doc) -> bytes:
    return _Painter(doc).render()
