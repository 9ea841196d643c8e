"""The notice a buyer gets after a reissue request completed: what the ledger now holds, in the buyer's terms.

Every sentence is a fact of the completed request: a partial red-flush names no new invoice and says the original
stays valid for the rest; a full one says the original is no longer valid; a new invoice is named only when one
was issued, and only to the buyer it was issued to. When the buyer changed, the original buyer is told too (their
invoice is gone, and a 专票 they deducted needs 进项税额转出), without naming the other company."""
from django.conf import settings
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.utils.translation import override

from core.admin.written import money
from invoices.ledger.models import Direction, Invoice, InvoiceKind
from invoices.reissue.models import RedFlushReason, ReissueRequest

# The reason as the buyer would say it, not the platform's code.
REASON_WORDS = {
    RedFlushReason.INVOICING_ERROR: gettext_noop("The invoice was issued with an error."),
    RedFlushReason.GOODS_RETURNED: gettext_noop("Goods were returned."),
    RedFlushReason.SERVICE_STOPPED: gettext_noop("The service was stopped."),
    RedFlushReason.SALES_ALLOWANCE: gettext_noop("A sales allowance was agreed."),
}
SPECIAL_KINDS = (InvoiceKind.DIGITAL_SPECIAL, InvoiceKind.VAT_SPECIAL, InvoiceKind.VAT_ELECTRONIC_SPECIAL,
                 InvoiceKind.DIGITAL_PAPER_SPECIAL)


def recipients(request):
    """[(customer, role)]: the original buyer ("original"), and the new buyer ("new") when the buyer changed."""
    original_buyer = request.original.buyer
    new = request.new_invoice
    if new is not None and new.buyer_id != original_buyer.pk:
        return [(original_buyer, "original"), (new.buyer, "new")]
    return [(original_buyer, "original")]


def remaining_total(original):
    """The original's 价税合计 after every red invoice issued against it."""
    credited = Invoice.objects.filter(original=original, direction=Direction.RED).aggregate(s=Sum("total"))["s"]
    return original.total + (credited or 0)


def details(request, role, language=None):
    """The facts paragraph of the notice for one recipient, in `language` (the template's)."""
    with override(language or settings.LANGUAGE_CODE):
        return "\n".join(_lines(request, role))


def _lines(request, role):
    original, red, new = request.original, request.red_invoice, request.new_invoice
    facts = {"orig": original.number, "orig_total": money(original.total),
             "red": red.number if red else "", "red_total": money(red.total) if red else "",
             "new": new.number if new else "", "new_total": money(new.total) if new else "",
             "left": money(remaining_total(original))}
    lines = [_("Reason: %(reason)s") % {"reason": _(REASON_WORDS[RedFlushReason(request.reason)])}]
    if role == "new":
        lines.append(_("Invoice %(new)s (total %(new_total)s) has been issued to your company; its PDF is "
                       "attached. It replaces an invoice that had been issued to another company by mistake.")
                     % facts)
        return lines
    if original.total + (red.total if red else 0) > 0:
        lines.append(_("Invoice %(orig)s was red-flushed in part: red invoice %(red)s credits %(red_total)s. "
                       "The original invoice stays valid for the rest: %(left)s.") % facts)
    elif new is not None and new.buyer_id == original.buyer_id:
        lines.append(_("Invoice %(orig)s (total %(orig_total)s) was cancelled in full by red invoice %(red)s "
                       "(%(red_total)s) and is no longer valid. The replacement invoice is %(new)s (total "
                       "%(new_total)s); its PDF is attached.") % facts)
    elif new is not None:
        lines.append(_("Invoice %(orig)s (total %(orig_total)s) was cancelled in full by red invoice %(red)s "
                       "(%(red_total)s) and is no longer valid. The corrected invoice was issued to the right "
                       "buyer, not to your company.") % facts)
    else:
        lines.append(_("Invoice %(orig)s (total %(orig_total)s) was cancelled in full by red invoice %(red)s "
                       "(%(red_total)s) and is no longer valid. No new invoice replaces it.") % facts)
    if original.kind in SPECIAL_KINDS and red is not None:
        lines.append(_("If your company has already deducted the input VAT of invoice %(orig)s, please transfer "
                       "out (进项税额转出) the amount of red invoice %(red)s.") % facts)
    return lines


def attached_invoice(request, role):
    """The invoice whose file goes with the notice: the new invoice to whoever it was issued to; to the original
    buyer of a red-flush without a new invoice for them, the red invoice (named as such in the text); else none."""
    if request.new_invoice is not None and (role == "new" or request.new_invoice.buyer_id == request.original.buyer_id):
        return request.new_invoice
    return request.red_invoice


def incident_line(incident, language=None):
    if incident is None:
        return ""
    with override(language or settings.LANGUAGE_CODE):
        return _("Your case number: %(ref)s.") % {"ref": incident.reference}


def signature(language=None):
    with override(language or settings.LANGUAGE_CODE):
        company = getattr(settings, "SERVICE_COMPANY_NAME", "")
        phone = getattr(settings, "SERVICE_PHONE", "")
        parts = [company, _("Service phone %(phone)s") % {"phone": phone} if phone else ""]
        return "\n".join(p for p in parts if p)


def load_request(request_id):
    return ReissueRequest.objects.select_related(
        "original__buyer", "red_invoice", "new_invoice__buyer").filter(pk=request_id).first()
