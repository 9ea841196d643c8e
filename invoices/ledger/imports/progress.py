"""Counts of a running import pass, shared with the progress page through the "progress" cache (a file cache, or
Redis with REDIS_URL): the pass runs in one transaction, so the job row cannot carry them until it ends."""
import time

from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export.results import RowResult

FIRST_ERRORS = 50
WRITE_EVERY_SECONDS = 0.5
INVALID = {RowResult.IMPORT_TYPE_INVALID, RowResult.IMPORT_TYPE_ERROR}


def cache_key(job_id):
    return f"import-job:{job_id}"


def live_counts(job_id):
    return caches["progress"].get(cache_key(job_id))


class Progress:
    """Counts rows as a resource imports them; every WRITE_EVERY_SECONDS the counts go to the cache."""

    def __init__(self, job_id, *, describe):
        self.job_id = job_id
        self.describe = describe  # (row dict, RowResult) -> (key shown, [messages])
        self.counts = {"read": 0, "valid": 0, "invalid": 0}
        self.errors = []
        self.offset = 0  # rows of the file before the chunk being imported
        self._written = 0.0

    def row(self, number, row, result):
        number += self.offset
        self.counts["read"] += 1
        if result.import_type in INVALID:
            self.counts["invalid"] += 1
            if len(self.errors) < FIRST_ERRORS:
                key, messages = self.describe(row, result)
                # The row as a spreadsheet numbers it: the header is row 1.
                self.errors.append({"row": number + 1, "key": key, "messages": messages})
        else:
            self.counts["valid"] += 1
        if time.monotonic() - self._written >= WRITE_EVERY_SECONDS:
            self.write()

    def write(self):
        self._written = time.monotonic()
        caches["progress"].set(cache_key(self.job_id), {**self.counts, "errors": self.errors[:10]}, 24 * 3600)

    def clear(self):
        caches["progress"].delete(cache_key(self.job_id))


def tracked(resource_class, progress):
    """The resource class, reporting every row it imports to `progress`."""

    class Tracked(resource_class):
        def import_row(self, row, instance_loader, **kwargs):
            result = super().import_row(row, instance_loader, **kwargs)
            progress.row(kwargs.get("row_number"), row, result)
            return result

    Tracked.__name__ = resource_class.__name__
    return Tracked


def row_messages(resource, result):
    """A row's problems as people read them: "column: rule" for each field, then any other error."""
    messages = []
    error = result.validation_error
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                label = resource.header_label(field) if hasattr(resource, "header_label") else field
                messages += [m if field == "__all__" else _("%(column)s: %(problem)s") % {"column": label, "problem": m}
                             for m in errors]
        else:
            messages += error.messages
    for failure in result.errors:
        messages.append(_("The row could not be read: %(error)s") % {"error": failure.error})
    return messages
