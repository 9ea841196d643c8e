"""Rules for free text typed by people: names without bidirectional controls and with something visible,
lengths counted after normalisation (NFKC can turn one character into three), single-line header values.

Pure functions returning messages, so services, forms and imports share one wording (zh + en via gettext)."""
import re
import unicodedata

from django.utils.translation import gettext as _

# Embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the bare marks (LRM, RLM, ALM): they
# reorder what staff read ("invoice for ‮gnp.exe") and never belong in a Chinese or Latin name.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_BIDI_RE = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")
_LINE_BREAK_RE = re.compile(r"[\r\n\x0b\x0c\x85\u2028\u2029]")


def strip_bidi_controls(value):
    return _BIDI_RE.sub("", value or "")


def has_visible_character(value):
    """Whether any character would show ink: not a space, control, format (zero-width) or combining mark."""
    return any(not ch.isspace() and unicodedata.category(ch)[0] not in ("C", "M", "Z") for ch in value or "")


def clean_name(value):
    """A name as stored: bidirectional controls removed, outer spaces trimmed."""
    return strip_bidi_controls("" if value is None else str(value)).strip()


def name_error(value, label):
    """The rule a cleaned name breaks, or "" (empty names are left to each caller's "required" rule)."""
    if value and not has_visible_character(value):
        return _("%(field)s has no visible character (only spaces or invisible characters).") % {"field": label}
    return ""


def length_error(value, limit):
    if value is not None and len(value) > limit:
        return _("At most %(limit)d characters after normalisation (got %(n)d).") % {"limit": limit, "n": len(value)}
    return ""


def model_length_errors(model, values):
    """{field: message} for every value longer than its column (CharField max_length)."""
    errors = {}
    for name, value in values.items():
        limit = getattr(model._meta.get_field(name), "max_length", None)
        if limit and isinstance(value, str):
            message = length_error(value, limit)
            if message:
                errors[name] = message
    return errors


def has_line_break(value):
    return bool(_LINE_BREAK_RE.search(value or ""))
