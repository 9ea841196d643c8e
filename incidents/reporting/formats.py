"""Figures as staff read them: `3 小时 20 分`, `93%` (numerator/denominator on hover), `¥1,234.50`."""
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from core.money_text import yuan


def format_business(seconds):
    """`27 小时 5 分` (business hours have no days: a working day is not 24 hours). None: empty."""
    if seconds is None:
        return ""
    minutes = int(round(seconds / 60))
    return _("%(h)d h %(m)d min") % {"h": minutes // 60, "m": minutes % 60}


def format_clock(seconds, count=None):
    """Clock time (自然小时: nights and weekends count), e.g. `47 小时 15 分`; with the number of cases measured."""
    if seconds is None:
        return ""
    minutes = int(round(seconds / 60))
    text = _("%(h)d h %(m)d min") % {"h": minutes // 60, "m": minutes % 60}
    return _("%(time)s (%(n)d outages)") % {"time": text, "n": count} if count is not None else text


def format_percent(part, whole):
    """`93%` or empty when there is nothing to measure (no zeros that look like success or failure)."""
    if not whole:
        return ""
    return f"{100 * part / whole:.0f}%"


def format_yuan(amount):
    return yuan(amount or 0)


class Figure:
    """A number as the PDF prints it and the XLSX stores it: the workbook keeps the value with a number format, so
    percentages and amounts sum and sort in Excel instead of being text."""

    def __init__(self, value, text, excel_format):
        self.value, self.text, self.excel_format = value, text, excel_format

    def __str__(self):
        return self.text


def percent_figure(part, whole):
    if not whole:
        return ""
    return Figure(part / whole, format_percent(part, whole), "0%")


def yuan_figure(amount):
    value = Decimal(amount or 0).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return Figure(value, format_yuan(value), '"¥"#,##0.00;-"¥"#,##0.00')
