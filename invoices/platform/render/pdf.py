"""The 数电 invoice as PDF (reportlab), with the CJK font embedded (core.pdf_fonts) so it renders anywhere and
pdftotext reads its text back. Long invoices continue on further pages; the totals are on the last one."""
import io

from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from core.pdf_fonts import register_cjk_font
from invoices.platform.render.document import plain, rate_text, yuan

PAGE = (241 * mm, 140 * mm)  # the 数电 invoice's paper size
INK = Color(0.55, 0.27, 0.07)  # the brown of the printed frame
LINES_PER_PAGE = 8
# Columns of the lines table: (heading, left x, right x, alignment)
COLUMNS = [
    ("项目名称", 12, 72, "left"), ("规格型号", 72, 100, "left"), ("单位", 100, 114, "left"),
    ("数量", 114, 136, "right"), ("单价", 136, 160, "right"), ("金额", 160, 184, "right"),
    ("税率/征收率", 184, 204, "right"), ("税额", 204, 229, "right"),
]


def _fit(text, font, size, width):
    """The largest size down to 6pt at which the text fits the width, cutting it only below that."""
    while size > 6 and stringWidth(text, font, size) > width:
        size -= 0.5
    while text and stringWidth(text, font, size) > width:
        text = text[:-1]
    return text, size


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

    def header(self, page, pages):
        doc, c = self.doc, self.c
        c.setFillColor(INK)
        self.text(120.5, 128, doc.title, size=15, align="center")
        c.setStrokeColor(INK)
        c.line(80 * mm, 126 * mm, 161 * mm, 126 * mm)
        c.setFillColorRGB(0, 0, 0)
        self.text(170, 130, f"发票号码：{doc.number}", size=8)
        if doc.code:
            self.text(170, 125.5, f"发票代码：{doc.code}", size=8)
        self.text(170, 121, f"开票日期：{doc.issued_date}", size=8)
        if pages > 1:
            self.text(229, 4, f"第{page}页 共{pages}页", size=7, align="right")
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

    def lines(self, chunk):
        y = 85
        for line in chunk:
            values = [line.name, line.spec, line.unit, plain(line.quantity), plain(line.unit_price),
                      yuan(line.amount), rate_text(line.tax_rate, line.zero_rate_flag), yuan(line.tax_amount)]
            for value, (_h, left, right, align) in zip(values, COLUMNS):
                self.text(left if align == "left" else right, y, value, size=8, align=align, width=right - left - 1)
            y -= 5.5

    def totals(self):
        doc, c = self.doc, self.c
        self.text(12, 39, "合计", size=8)
        self.text(184, 39, f"¥{yuan(doc.amount)}", size=8, align="right")
        self.text(229, 39, f"¥{yuan(doc.tax_amount)}", size=8, align="right")
        c.rect(10 * mm, 28 * mm, 221 * mm, 8 * mm)
        self.text(12, 30.5, "价税合计（大写）", size=8)
        self.text(42, 30.5, doc.total_in_capitals, size=9, width=120)
        self.text(170, 30.5, f"（小写）¥{yuan(doc.total)}", size=9)
        c.rect(10 * mm, 12 * mm, 221 * mm, 16 * mm)
        self.text(12, 24, "备注", size=8)
        y = 24
        for remark in self.doc.remark_lines[:3]:
            self.text(24, y, remark, size=8, width=200)
            y -= 4.5
        self.text(12, 6, f"开票人：{doc.drawer}", size=8)

    def render(self):
        lines = self.doc.lines or []
        chunks = [lines[i:i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)] or [[]]
        for page, chunk in enumerate(chunks, start=1):
            self.header(page, len(chunks))
            self.lines(chunk)
            if page == len(chunks):
                self.totals()
            self.c.showPage()
        self.c.save()
        return self.buffer.getvalue()


def render_pdf(doc) -> bytes:
    return _Painter(doc).render()
