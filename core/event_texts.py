"""Event rows as facts, the way Saleor's order events work: a writer stores a stable message code and plain
parameters (numbers and amounts as strings, status codes rather than their labels, names as the reader should see
them); the text is rendered in the reader's language when the event is shown.

Each app registers its codes (invoices/*/event_texts.py, incidents/event_texts.py) as `EventText`s: a lazy gettext
template with named placeholders, and how a parameter is read (a status code becomes its label in the reader's
language). `render` never raises: an unknown code or a missing parameter falls back to the row's stored message
(legacy rows written before codes existed), else to the kind's label; never to raw JSON or an id.

A parameter may itself be a fact (`fact(code, **params)`, e.g. the reason a reissue stopped), rendered the same way.
"""
import logging
import re

from django.utils import translation
from django.utils.translation import gettext

log = logging.getLogger(__name__)

PLACEHOLDER = re.compile(r"%\((\w+)\)")
FACT = "fact"  # the key that marks a parameter as a nested fact: {"fact": code, "params": {...}}


class EventText:
    """One code's text: `template` is a gettext_lazy string with %(name)s placeholders; `readers` turn a stored
    parameter into what the reader sees (called at render time, in the reader's language)."""

    def __init__(self, template, **readers):
        self.template = template
        self.readers = readers

        self._placeholders = None

    def placeholders(self):
        if self._placeholders is None:
            with translation.override(None):  # the msgid: the placeholders the writer must give
                self._placeholders = frozenset(PLACEHOLDER.findall(str(self.template)))
        return self._placeholders


TEXTS = {}


def register(texts):
    """Add an app's codes; a code is stable once written, so registering one twice is a mistake."""
    for code, text in texts.items():
        if code in TEXTS:
            raise ValueError(f"event code {code!r} is registered twice")
        TEXTS[code] = text if isinstance(text, EventText) else EventText(text)


def fact(code, /, **params):
    """The code and plain parameters of a fact, checked against the registry: a writer that names an unknown
    code or leaves out a placeholder is a programming error, found when it writes, not when someone reads."""
    text = TEXTS.get(code)
    if text is None:
        raise ValueError(f"unknown event code {code!r}")
    missing = text.placeholders() - set(params)
    if missing:
        raise ValueError(f"event code {code!r} needs {sorted(missing)}")
    return {FACT: code, "params": {name: _plain(value) for name, value in params.items()}}


def _plain(value):
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, dict) and FACT in value:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)  # Decimal, an invoice (its number), a lazy label would be frozen: callers pass codes


def is_fact(value):
    return isinstance(value, dict) and isinstance(value.get(FACT), str)


def render_fact(code, params, fallback=""):
    """The text of `code` with `params` in the active language; `fallback` when it cannot be rendered."""
    text = TEXTS.get(code or "")
    if text is None or not isinstance(params, dict):
        return fallback
    try:
        values = {}
        for name in text.placeholders():
            value = params[name]
            reader = text.readers.get(name)
            if reader is not None:
                value = reader(value)
            elif is_fact(value):
                value = render_fact(value[FACT], value.get("params"))
                if not value:
                    return fallback
            elif isinstance(value, (dict, list)):
                return fallback  # never show JSON to a reader
            values[name] = value
        return (str(text.template) % values).strip()
    except Exception:  # a reader or a placeholder that does not fit the stored value: show what was stored
        log.warning("event code %s not rendered with %r", code, params, exc_info=True)
        return fallback


def text_of(value):
    """A reason or note that may be a fact or plain text, as text in the active language."""
    if is_fact(value):
        return render_fact(value[FACT], value.get("params"))
    return "" if value is None else str(value)


def render_values(*, message_code, params, message, kind_label=""):
    """An event's text from its columns (a values() row or a model instance's fields)."""
    if message_code:
        return render_fact(message_code, params, fallback=message or str(kind_label or ""))
    return message or ""


def render(event):
    """The text of an event row (InvoiceEvent, IncidentEvent) in the active language."""
    return render_values(message_code=event.message_code, params=event.params, message=event.message,
                         kind_label=event.get_kind_display())


# --- readers: how a stored parameter reads ----------------------------------------------------------------------
def label(choices):
    """A choice code as its label (a status, a reason); an unknown code as itself."""
    def read(value):
        try:
            return str(choices(value).label)
        except ValueError:
            return str(value)
    return read


def labels(mapping):
    """A code looked up in {code: lazy label}; an unknown code as itself."""
    return lambda value: str(mapping.get(value, value))


def translated(value):
    """A stored English msgid (a playbook step's title) in the reader's language."""
    return gettext(str(value))


def yes_no(value):
    return gettext("yes") if value else gettext("no")


def or_dash(value):
    return value if value not in (None, "") else "—"


def person(user):
    """A person as an event's reader should see them: their name, else their login; never an id."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
