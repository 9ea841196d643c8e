from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def yuan(value):
    """¥1,234.50 (and -¥1,234.50 for a red invoice)."""
    if value in (None, ""):
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"))
    return f"{'-' if amount < 0 else ''}¥{abs(amount):,.2f}"
