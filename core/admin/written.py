"""Values as people write them on a page: ¥1,234.50 for money, 13% for a rate, 13 (not 13.0000000000000) for a
quantity. The database keeps Decimals with fixed places; these are for display only, never for arithmetic."""
from django.utils.html import format_html

from core.money_text import decimal_or_none, yuan


def plain_number(value):
    """13.0000000000000 -> "13", 0.0600 -> "0.06", 1234.5 -> "1234.5"; None -> "". Never exponent notation."""
    number = decimal_or_none(value)
    if number is None:
        return ""
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "") else text


def money(value):
    """1234.5 -> "¥1,234.50", -8423 -> "-¥8,423.00"; None -> "" (core.money_text.yuan, the one way)."""
    return yuan(value)


def rate(value):
    """0.13 -> "13%", 0.015 -> "1.5%", 0 -> "0%"; None -> ""."""
    number = decimal_or_none(value)
    if number is None:
        return ""
    return f"{plain_number(number * 100)}%"


def money_html(value):
    """Money in a table cell: never wrapped between the sign, the ¥ and the digits."""
    text = money(value)
    return format_html('<span style="white-space:nowrap">{}</span>', text) if text else ""


def cell(formatter, align_right=True):
    """value -> safe HTML of a table cell written by `formatter`, kept on one line."""
    style = "white-space:nowrap;display:block;text-align:right" if align_right else "white-space:nowrap"

    def html(value):
        text = formatter(value)
        return format_html('<span style="{}">{}</span>', style, text) if text != "" else "-"
    return html


MONEY, RATE, NUMBER = cell(money), cell(rate), cell(plain_number)


class WrittenColumnsMixin:
    """ReadOnlyTable mixin: `written = {"amount": MONEY, "tax_rate": RATE, "quantity": NUMBER}` shows those
    columns as people write them instead of as the database stores them."""

    written = {}

    def columns(self, empty):
        columns = []
        for name, header, key, html in super().columns(empty):
            if key and name in self.written:
                html = (lambda row, key=key, write=self.written[name]: write(row[key]))
            columns.append((name, header, key, html))
        return columns
