"""Money as people read it, one way everywhere (pages, emails, the portal, exports shown to people, invoice
files): ¥1,234.50 and, for a red invoice, -¥106,000.00 (the sign before the ¥, never ¥-106,000.00)."""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")


def decimal_or_none(value):
    """A Decimal of a stored or typed value, or None (shared with core.admin.written)."""
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def figures(value):
    """The digits without the ¥, as a table cell of an invoice prints them: -106000 -> "-106,000.00"; None -> ""."""
    number = decimal_or_none(value)
    if number is None:
        return ""
    number = number.quantize(FEN, rounding=ROUND_HALF_UP)
    return f"{'-' if number < 0 else ''}{abs(number):,.2f}"


def yuan(value):
    """1234.5 -> "¥1,234.50", -106000 -> "-¥106,000.00"; None, "" or an unreadable value -> ""."""
    text = figures(value)
    return f"-¥{text[1:]}" if text.startswith("-") else (f"¥{text}" if text else "")
