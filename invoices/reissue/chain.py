"""The invoice page's chain: original → red-letter form → red invoice → new invoice, with status and links."""
from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _


def _link(invoice):
    if invoice is None:
        return "—"
    return format_html('<a href="{}">{}</a> <small>({}, {})</small>',
                       reverse("admin:invoices_invoice_change", args=[invoice.pk]), invoice,
                       invoice.get_status_display(), invoice.total)


def chain_html(invoice):
    rows = []
    if invoice.original_id:
        rows.append((_("corrects"), _link(invoice.original)))
    requests = list(invoice.reissue_requests.select_related("red_letter_form", "red_invoice", "new_invoice"))
    for req in requests:
        form = req.red_letter_form
        rows.append((
            format_html('<a href="{}">{} #{}</a>', reverse("admin:invoices_reissuerequest_change", args=[req.pk]),
                        _("reissue"), req.pk),
            format_html(
                "{} · {} {} → {} {} → {} {}",
                req.get_status_display(),
                _("form"), f"{form.number} ({form.get_status_display()})" if form else "—",
                _("red"), _link(req.red_invoice), _("new"), _link(req.new_invoice),
            ),
        ))
    flushed_by = [c for c in invoice.corrections.all() if not any(c.pk == r.red_invoice_id for r in requests)]
    for red in flushed_by:
        rows.append((_("red invoice"), _link(red)))
    try:
        reissued_from = invoice.reissued_from
    except ObjectDoesNotExist:
        reissued_from = None
    if reissued_from is not None:
        rows.append((_("replaces"), _link(reissued_from.original)))
    if not rows:
        return "—"
    return format_html_join(mark_safe("<br>"), "<strong>{}</strong>: {}", rows)
