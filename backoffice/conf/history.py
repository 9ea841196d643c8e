"""Audit history (django-simple-history): a row per change of customers, invoices, reissue requests, incidents and
follow-ups (not of the append-only event tables: they are an audit trail already)."""

# Read-only in the admin: no "Revert", and only users granted view_historical<model> (managers) see the History pages.
SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS = True
