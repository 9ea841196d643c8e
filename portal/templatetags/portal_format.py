from django import template

from core import money_text

register = template.Library()


@register.filter
def yuan(value):
    """¥1,234.50 (and -¥1,234.50 for a red invoice)."""
    return money_text.yuan(value)
