"""Incident desk admin, one module per screen group."""
from . import communications, config, followups, incidents, reports  # noqa: F401
