"""The report as a workbook: one sheet per section, a native Excel chart where the section has one."""
from decimal import Decimal
from io import BytesIO

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font

from .formats import Figure

# Excel refuses sheet names over 31 characters or with []:*?/\
FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def _value(v):
    if isinstance(v, Figure):
        return v.value
    return v if isinstance(v, (int, float, Decimal)) else str(v)


def write_xlsx(sections, *, title, subtitle=""):
    wb = Workbook()
    wb.remove(wb.active)
    for section in sections:
        ws = wb.create_sheet(str(section.title).translate(FORBIDDEN)[:31])
        ws.append([f"{title}　{subtitle}".strip()])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append([str(h) for h in section.header])
        for cell in ws[2]:
            cell.font = Font(bold=True)
        for row in section.rows:
            ws.append([_value(v) for v in row])
            for cell, v in zip(ws[ws.max_row], row):
                if isinstance(v, Figure):
                    cell.number_format = v.excel_format
        for column, _h in enumerate(section.header, start=1):
            ws.column_dimensions[ws.cell(row=2, column=column).column_letter].width = 18 if column > 1 else 28
        if section.chart and section.rows:
            _chart(ws, section)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def _chart(ws, section):
    """A bar chart over the section's own cells: categories in column A, numbers in the next columns."""
    chart = BarChart()
    chart.title = str(section.title)
    n = len(section.rows)
    numeric = len(section.chart["series"])
    data = Reference(ws, min_col=2, max_col=1 + numeric, min_row=2, max_row=2 + n)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=3, max_row=2 + n))
    chart.height, chart.width = 8, 18
    ws.add_chart(chart, f"{ws.cell(row=2, column=len(section.header) + 2).column_letter}2")
