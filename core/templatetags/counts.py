"""Counts as people write them on the back office's pages: 3,000 (the same in Chinese and English)."""
from django import template

register = template.Library()


@register.filter
def thousands(value):
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return value
