import django_filters
from django.core.validators import MaxValueValidator, MinValueValidator


class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number a database column can hold (a 400 for anything else, never an overflow)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.extra["validators"] = [MinValueValidator(1), MaxValueValidator(2**63 - 1)]
        self.extra["step_size"] = 1
