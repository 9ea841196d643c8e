"""Shared by tests/invoices/test_event_texts.py and tests/incidents/test_event_texts.py: the source walk that finds
an event written with text translated at write time."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRANSLATORS = {"_", "gettext", "pgettext", "ngettext", "gettext_lazy", "pgettext_lazy", "ngettext_lazy"}
# Functions that write an event row, and the position of their text argument (None: keyword only).
WRITERS = {"event_record": None, "invoice_event_record": None, "reissue_event": 1, "_event": 2,
           "event_values": None, "incident_attach_invoices": None}


def _translated(node):
    """A gettext call, a % of one, or a conditional / f-string holding one."""
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "strip":
            return _translated(func.value)
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        return name in TRANSLATORS
    if isinstance(node, ast.Dict):
        return any(_translated(v) for v in node.values)
    if isinstance(node, ast.BinOp):
        return _translated(node.left)
    if isinstance(node, ast.IfExp):
        return _translated(node.body) or _translated(node.orelse)
    if isinstance(node, ast.JoinedStr):
        return any(_translated(v.value) for v in node.values if isinstance(v, ast.FormattedValue))
    return False


def translated_event_texts(packages):
    """(file:line, code) of every event written with translated text: `message=_(...)` in a call, the text
    argument of an event writer, `message = _(...)` kept for one in a service, or a `"message": _(...)` of event
    values (a dict with a "kind")."""
    found = []
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            source = path.read_text(encoding="utf-8")
            tree = ast.parse(source)
            for node in ast.walk(tree):
                if isinstance(node, ast.Assign) and "services" in path.parts and any(
                        isinstance(t, ast.Name) and t.id in ("message", "messages") for t in node.targets):
                    if _translated(node.value):
                        found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.get_source_segment(source, node)}")
                    continue
                keys = {k.value for k in getattr(node, "keys", []) if isinstance(k, ast.Constant)}
                if isinstance(node, ast.Dict) and "kind" in keys:  # an event row's values, not an error dict
                    for key, value in zip(node.keys, node.values):
                        if isinstance(key, ast.Constant) and key.value == "message" and _translated(value):
                            found.append(f"{path.relative_to(ROOT)}:{value.lineno}: {ast.get_source_segment(source, value)}")
                    continue
                if not isinstance(node, ast.Call):
                    continue
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                texts = [kw.value for kw in node.keywords if kw.arg == "message"]
                position = WRITERS.get(name)
                if position is not None and len(node.args) > position:
                    texts.append(node.args[position])
                for text in texts:
                    if _translated(text):
                        found.append(f"{path.relative_to(ROOT)}:{text.lineno}: {ast.get_source_segment(source, text)}")
    return found
