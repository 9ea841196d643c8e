from datetime import timedelta

import django_filters
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _


class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number a database column can hold (a 400 for anything else, never an overflow)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.extra["validators"] = [MinValueValidator(1), MaxValueValidator(2**63 - 1)]
        self.extra["step_size"] = 1


def sane_moment(value):
    """A time PostgreSQL can store: a UTC offset within ±14 hours and a year between 1900 and 2200 (anything else
    is a typo or an attack, answered 400 naming the field, not a database error)."""
    if value is None:
        return
    offset = value.utcoffset()
    if offset is not None and abs(offset) > timedelta(hours=14):
        raise ValidationError(_("The time zone offset must lie within ±14 hours."), code="offset")
    if not 1900 <= value.year <= 2200:
        raise ValidationError(_("The year must lie between 1900 and 2200."), code="year")


class SaneIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 time filter that refuses offsets and years no database column holds."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.extra["validators"] = [sane_moment]
