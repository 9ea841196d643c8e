"""Exports that are safe to open in a spreadsheet: a text cell starting with =, +, -, @, a tab or a carriage
return is read by Excel/WPS/LibreOffice as a formula (=HYPERLINK(...), +cmd|' /C calc'!A0, @SUM(1)), so it gets a
leading apostrophe and stays text, in CSV and XLSX alike (openpyxl writes a string that does not start with =
as a string cell). Plain numbers (-12.50, +3) are left alone: a negative amount stays a number. Every export of
the project goes through this module (tests/core/test_export_safety.py checks each resource)."""
import functools
import re

import tablib

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\Z")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def safe_row(row):
    return [safe_cell(value) for value in row]


def safe_dataset(dataset):
    safe = tablib.Dataset(headers=safe_row(dataset.headers) if dataset.headers else None, title=dataset.title)
    for row in dataset:
        safe.append(safe_row(row))
    return safe


class SafeExportResource:
    """Mixin for django-import-export resources (before ModelResource in the bases): whatever export() builds,
    the library's own rows or a subclass's own export() (wrapped as the class is defined, so a resource that
    replaces export() cannot skip the helper), leaves neutralised."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("export")
        if own is not None and not getattr(own, "neutralises", False):
            cls.export = _neutralising(own)

    def export(self, *args, **kwargs):
        return safe_dataset(super().export(*args, **kwargs))

    export.neutralises = True


def _neutralising(export):
    @functools.wraps(export)
    def wrapper(self, *args, **kwargs):
        return safe_dataset(export(self, *args, **kwargs))

    wrapper.neutralises = True
    return wrapper
