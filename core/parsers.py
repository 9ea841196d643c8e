"""A JSON parser that refuses documents nested deeper than API_JSON_MAX_DEPTH before decoding them.

Python's json module recurses once per level: a body of 3,000 "[" raises RecursionError, which DRF does not
turn into a 400. The depth is counted in one linear pass over the raw text (brackets inside strings do not
count), so a hostile body costs no more than reading it."""
import codecs

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
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
        return super().parse(_Replay(raw), media_type, parser_context)


class _Replay:
    """The already-read body, for JSONParser.parse which reads its stream once."""

    def __init__(self, raw):
        self._raw = raw

    def read(self, *args):
        raw, self._raw = self._raw, b""
        return raw
