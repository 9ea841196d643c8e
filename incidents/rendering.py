"""Template rendering that cannot run code: `{name}` placeholders from a fixed list are replaced in one
pass; nothing else in the text is interpreted. Staff edit templates in the admin, so the Django template
language (which can reach attributes and tags) is never applied to their text."""
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PLACEHOLDERS = {
    "customer_name": gettext_lazy("customer name"),
    "contact_name": gettext_lazy("customer contact person"),
    "invoice_number": gettext_lazy("invoice number(s)"),
    "new_invoice_number": gettext_lazy("new (reissued) invoice number"),
    "incident_reference": gettext_lazy("incident reference"),
    "incident_title": gettext_lazy("incident title"),
    "rep_name": gettext_lazy("name of the sending staff member"),
    "today": gettext_lazy("today's date"),
    "reissue_details": gettext_lazy("what the completed reissue changed (red, new, what stays valid)"),
    "incident_line": gettext_lazy("the case number sentence, empty without a case"),
    "signature": gettext_lazy("the service desk's name and phone"),
}
PATTERN = re.compile(r"\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}")


def placeholder_help():
    return ", ".join("{%s}" % name for name in PLACEHOLDERS)


def validate_template_text(*, subject, body):
    errors = {}
    for field_name, text in (("subject", subject or ""), ("body", body or "")):
        unknown = sorted({m.group(1) for m in PATTERN.finditer(text)} - set(PLACEHOLDERS))
        if unknown:
            errors[field_name] = _("Unknown placeholder(s) %(names)s; allowed: %(allowed)s.") % {
                "names": ", ".join("{%s}" % n for n in unknown), "allowed": placeholder_help(),
            }
    if "\n" in (subject or "") or "\r" in (subject or ""):
        errors["subject"] = _("The subject must be a single line.")
    if errors:
        raise ValidationError(errors)


def render_text(text, context):
    """Replace known placeholders by their values; values are never themselves expanded."""
    def substitute(match):
        name = match.group(1)
        if name in PLACEHOLDERS and name in context:
            return str(context[name])
        return match.group(0)

    return PATTERN.sub(substitute, text or "")


def render_subject(text, context):
    # A value with a line break would otherwise smuggle a header into the message.
    return " ".join(render_text(text, context).split())
