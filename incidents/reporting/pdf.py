"""The report as a PDF: tables and bar charts (reportlab.graphics) in the embedded CJK font."""
from io import BytesIO

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.pdf_fonts import register_cjk_font

PALETTE = [colors.HexColor("#417690"), colors.HexColor("#e0a030"), colors.HexColor("#ba2121")]


def write_pdf(sections, *, title, empty_text, subtitle=""):
    font = register_cjk_font()
    h1 = ParagraphStyle("h1", fontName=font, fontSize=16, leading=20, spaceAfter=6)
    h2 = ParagraphStyle("h2", fontName=font, fontSize=12, leading=16, spaceBefore=10, spaceAfter=4)
    cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10)
    out = BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), title=title, leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm)
    story = [Paragraph(_text(title), h1)]
    if subtitle:
        story.append(Paragraph(_text(subtitle), cell))
    for section in sections:
        story.append(Paragraph(str(section.title), h2))
        if section.chart and section.rows:
            story.append(_bar_chart(section.chart, font))
        if not section.rows:
            story.append(Paragraph(empty_text, cell))
            continue
        data = [[Paragraph(str(h), cell) for h in section.header]]
        data += [[Paragraph(_text(v), cell) for v in row] for row in section.rows]
        table = Table(data, repeatRows=1)
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef2")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        story += [table, Spacer(1, 4 * mm)]
    doc.build(story)
    return out.getvalue()


def _text(value):
    from xml.sax.saxutils import escape

    return escape(str(value))


def _bar_chart(chart, font):
    drawing = Drawing(260 * mm, 60 * mm)
    bars = VerticalBarChart()
    bars.x, bars.y, bars.width, bars.height = 15 * mm, 12 * mm, 200 * mm, 42 * mm
    bars.data = [[v or 0 for v in values] for _name, values in chart["series"]]
    bars.categoryAxis.categoryNames = [str(c) for c in chart["categories"]]
    bars.categoryAxis.labels.fontName = font
    bars.categoryAxis.labels.fontSize = 6
    bars.categoryAxis.labels.angle = 30 if len(chart["categories"]) > 8 else 0
    bars.categoryAxis.labels.boxAnchor = "ne" if len(chart["categories"]) > 8 else "n"
    bars.valueAxis.labels.fontName = font
    bars.valueAxis.valueMin = 0
    # Counts are whole: a step below 1 (0.2, 0.4 … on a one-bar chart) would show fractions of an incident.
    top = max([max([v or 0 for v in values] or [0]) for _name, values in chart["series"]] or [0])
    bars.valueAxis.valueMax = max(top, 1) if top <= 5 else None
    bars.valueAxis.valueStep = max(1, -(-int(top) // 5)) if top else 1
    for i in range(len(bars.data)):
        bars.bars[i].fillColor = PALETTE[i % len(PALETTE)]
    drawing.add(bars)
    if len(chart["series"]) > 1:
        legend = Legend()
        legend.x, legend.y, legend.fontName = 222 * mm, 50 * mm, font
        legend.colorNamePairs = [(PALETTE[i % len(PALETTE)], str(name)) for i, (name, _v) in enumerate(chart["series"])]
        drawing.add(legend)
    return drawing
