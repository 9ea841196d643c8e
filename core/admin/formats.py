"""Cell values as the admin shows them (display_for_field), with everything that depends only on the field and
the active language (choice labels, the locale's date and number formats, the current time zone) worked out once
per page instead of once per cell. Used by the list rows (core/admin/fastlist.py) and the read-only tables
(core/admin/tables.py); tests/core/test_admin_fastlist.py holds the output to Django's own."""
import datetime
from html import (
    escape,  # what django.utils.html.escape calls, without its lazy-string check per call
)

from django.conf import settings
from django.contrib.admin.templatetags.admin_list import _boolean_icon
from django.contrib.admin.utils import display_for_field
from django.db import models
from django.utils import dateformat, formats, numberformat, timezone
from django.utils.html import conditional_escape
from django.utils.translation import get_language


def field_formatter(field, empty, avoid_link=False):
    """value -> escaped HTML, as display_for_field (after items_for_result's blank-string rule) shows it, with
    everything that depends only on the field and the active language worked out once."""
    empty_html = conditional_escape(empty)
    empty_values = field.empty_values

    def blank(value):
        return "" if isinstance(value, str) and value.strip() == "" else value

    def django(value):
        return conditional_escape(display_for_field(blank(value), field, empty, avoid_link))

    if getattr(field, "flatchoices", None):
        try:
            labels = {key: conditional_escape(label) for key, label in dict(field.flatchoices).items()}
        except TypeError:  # list-like choices: Django makes them hashable per value
            return django

        def choice(value):
            try:
                return labels.get(blank(value), empty_html)
            except TypeError:  # an unhashable value
                return django(value)
        return choice
    if isinstance(field, models.BooleanField):
        icons = {True: _boolean_icon(True), False: _boolean_icon(False), None: _boolean_icon(None)}
        return lambda value: icons[value] if value is None or isinstance(value, bool) else _boolean_icon(value)
    if isinstance(field, models.DateTimeField):
        format_value = compiled_dateformat(formats.get_format("DATETIME_FORMAT", get_language()))
        local = _to_local_time()
        return lambda value: empty_html if value in empty_values else escape(format_value(local(value)))
    if isinstance(field, models.DecimalField):
        number = _number_format(field.decimal_places)
        return lambda value: empty_html if value in empty_values else escape(number(value))
    if type(field) in (models.CharField, models.TextField, models.SlugField, models.EmailField):
        return lambda value: empty_html if (value := blank(value)) in empty_values else escape(str(value))
    return django


# Format characters that read one plain attribute of the value: computed here without building a DateFormat (whose
# constructor checks the zone for ambiguous times on every call). The others go through DateFormat itself.
_PLAIN_SPECIFIERS = {
    "Y": lambda v: "%04d" % v.year, "y": lambda v: "%02d" % (v.year % 100), "m": lambda v: "%02d" % v.month,
    "n": lambda v: str(v.month), "d": lambda v: "%02d" % v.day, "j": lambda v: str(v.day),
    "H": lambda v: "%02d" % v.hour, "G": lambda v: str(v.hour), "i": lambda v: "%02d" % v.minute,
    "s": lambda v: "%02d" % v.second,
}


def compiled_dateformat(format_string):
    """value -> dateformat.format(value, format_string), with the format string split once rather than per value."""
    pieces = []
    for i, piece in enumerate(dateformat.re_formatchars.split(str(format_string))):
        if i % 2:
            pieces.append(_PLAIN_SPECIFIERS.get(piece) or _through_dateformat(piece))
        elif piece:
            pieces.append(dateformat.re_escaped.sub(r"\1", piece))

    def format_value(value):
        if type(value) is not datetime.datetime:
            return dateformat.format(value, format_string)
        return "".join(piece if type(piece) is str else piece(value) for piece in pieces)
    return format_value


def _through_dateformat(specifier):
    return lambda value: str(getattr(dateformat.DateFormat(value), specifier)())


def _to_local_time():
    """timezone.template_localtime with the current zone looked up once."""
    zone, use_tz = timezone.get_current_timezone(), settings.USE_TZ

    def local(value):
        if (use_tz and isinstance(value, datetime.datetime) and value.utcoffset() is not None
                and getattr(value, "convert_to_local_time", True)):
            return value.astimezone(zone)
        return value
    return local


def _number_format(decimal_pos):
    """formats.number_format with the locale's separators looked up once."""
    lang = get_language()
    sep, grouping, thousands = (formats.get_format(k, lang) for k in
                                ("DECIMAL_SEPARATOR", "NUMBER_GROUPING", "THOUSAND_SEPARATOR"))
    return lambda value: numberformat.format(value, sep, decimal_pos, grouping, thousands, use_l10n=True)
