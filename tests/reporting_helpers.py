"""Helpers for the management-reporting tests (issue 20): root-cause categories and resolving incidents."""
from incidents.models import RootCauseCategory


def cause(code="data_entry"):
    """A seeded root-cause category (incidents/migrations/0010)."""
    return RootCauseCategory.objects.get(code=code)
