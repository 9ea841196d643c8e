"""A JSON parser that refuses documents nested deeper than API_JSON_MAX_DEPTH before decoding them.

Python's json module recurses once per level: a body of 3,000 "[" raises RecursionError, which DRF does not
turn into a 400. The depth is counted in one linear pass over the raw text (brackets inside strings do not
count), so a hostile body costs no more than reading it.

JSON's "\\ud800" escape decodes to a lone surrogate, half of a UTF-16 pair and no character: Python keeps it in a
str, but neither UTF-8 nor the database can hold it, so a field that echoes it back ("\\ud800" is not a valid
choice) or stores it failed while rendering or writing (a 500). It is the one way such a string enters a request
(form bodies and query strings are decoded with replacement characters), so the parser refuses it, naming the
field."""
import codecs

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.parsers import JSONParser

DEFAULT_MAX_DEPTH = 32


def max_depth():
    return getattr(settings, "API_JSON_MAX_DEPTH", DEFAULT_MAX_DEPTH)


def json_depth_exceeds(text, limit):
    """Whether any bracket in `text` (JSON source) opens deeper than `limit` levels."""
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


class DepthLimitedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read() if stream is not None else b""
        try:
            text = codecs.decode(raw, encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(_("JSON parse error: the body is not valid %(encoding)s.") % {"encoding": encoding}) from exc
        limit = max_depth()
        if json_depth_exceeds(text, limit):
            raise ParseError(_("JSON parse error: nested deeper than %(limit)d levels.") % {"limit": limit})
        data = super().parse(_Replay(raw), media_type, parser_context)
        field = lone_surrogate_path(data)
        if field is not None:
            raise ValidationError({field: [_("The text holds a lone UTF-16 surrogate (such as \\ud800), which is "
                                             "not a character; send valid Unicode text.")]})
        return data


def _has_surrogate(text):
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _printable(key):
    return key.encode("utf-8", "backslashreplace").decode("ascii", "backslashreplace")


def lone_surrogate_path(data, path=()):
    """The dotted path ("lines.0.name") of the first string, or key, in parsed JSON holding a lone surrogate."""
    if isinstance(data, str):
        return (".".join(path) or "non_field_errors") if _has_surrogate(data) else None
    if isinstance(data, dict):
        items = data.items()
    elif isinstance(data, list):
        items = ((str(i), v) for i, v in enumerate(data))
    else:
        return None
    for key, value in items:
        if _has_surrogate(key):
            return ".".join((*path, _printable(key)))
        found = lone_surrogate_path(value, (*path, key))
        if found is not None:
            return found
    return None


class _Replay:
    """The already-read body, for JSONParser.parse which reads its stream once."""

    def __init__(self, raw):
        self._raw = raw

    def read(self, *args):
        raw, self._raw = self._raw, b""
        return raw
