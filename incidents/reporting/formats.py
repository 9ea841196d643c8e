"""Figures as staff read them: `3 小时 20 分`, `93%` (numerator/denominator on hover), `¥1,234.50`."""
from django.utils.translation import gettext as _

from core.money_text import yuan


def format_business(seconds):
    """`27 小时 5 分` (business hours have no days: a working day is not 24 hours). None: empty."""
    if seconds is None:
        return ""
    minutes = int(round(seconds / 60))
    return _("%(h)d h %(m)d min") % {"h": minutes // 60, "m": minutes % 60}


def format_percent(part, whole):
    """`93%` or empty when there is nothing to measure (no zeros that look like success or failure)."""
    if not whole:
        return ""
    return f"{100 * part / whole:.0f}%"


def format_yuan(amount):
    return yuan(amount or 0)
