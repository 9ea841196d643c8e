"""Incidents for tests: opened through the service, as a rep would (tests/factories.py)."""
from .factories import incident as open_incident

__all__ = ["open_incident"]
