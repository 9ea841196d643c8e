"""Incident desk admin, one module per screen group."""
from . import communications, config, followups, incidents  # noqa: F401
