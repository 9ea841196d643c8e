"""Re-delivery: when the customer only lost the file, send the same invoice again (no reissue). The request is
recorded at once; the email is composed by a job after commit (invoice_redelivery_send) with the PDF (and the
XML on request) attached and the customer's download link, and announced: the incidents app sends it as a
communication, fetching the files when it goes out and waiting while the platform cannot supply them."""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from core.history import acting_as
from core.jobs import enqueue_on_commit
from invoices.files.links import invoice_file_absolute_url
from invoices.files.models import FileFormat
from invoices.files.paper import has_e_files, paper_original_message
from invoices.ledger.capitals import yuan
from invoices.ledger.models import Direction, Invoice, InvoiceEventKind
from invoices.ledger.services.events import invoice_event_record
from invoices.signals import invoice_redelivered

DEFAULT_FORMATS = ("pdf",)


def _clean_formats(formats):
    formats = list(dict.fromkeys(formats or DEFAULT_FORMATS))
    unknown = [f for f in formats if f not in FileFormat.values]
    if unknown:
        raise ValidationError({"formats": [_("Unknown file format(s): %(f)s; use pdf, ofd or xml.")
                                           % {"f": ", ".join(map(str, unknown))}]})
    if "pdf" not in formats:
        formats.insert(0, "pdf")  # the customer's expense system needs the PDF whatever else they asked for
    return formats


@transaction.atomic
def invoice_redeliver(*, invoice, actor, email="", formats=DEFAULT_FORMATS):
    invoice = Invoice.objects.select_for_update().select_related("buyer").get(pk=invoice.pk)
    if not has_e_files(invoice):
        # Nothing electronic exists to send again: the printed original is the invoice, and the buyer has it.
        raise ValidationError({"invoice": [paper_original_message(invoice)]})
    email = (email or invoice.buyer.email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": [_("The customer has no valid email address; enter one to re-deliver to.")]})
    if email.lower() != invoice.buyer.email.strip().lower():
        # Only to the address recorded on the customer (whose history audits each change): an invoice is not
        # sent to whoever a caller names.
        raise ValidationError({"email": [_(
            "%(e)s is not the address recorded for %(customer)s; record it on the customer first."
        ) % {"e": email, "customer": invoice.buyer.name}]})
    formats = _clean_formats(formats)
    invoice_event_record(
        invoice=invoice, kind=InvoiceEventKind.REDELIVERED, actor=actor,
        code="invoice.redelivered", params={"e": email}, data={"email": email, "formats": formats},
    )
    enqueue_on_commit("reissue.redeliver", invoice_id=invoice.pk, email=email, actor_id=getattr(actor, "pk", None),
                      formats=formats)
    return invoice


def redelivery_message(invoice, formats):
    """(subject, body) in the site's language, amounts as ¥1,234.50, with the download link."""
    context = {"invoice": invoice, "red": invoice.direction == Direction.RED, "total": yuan(invoice.total),
               "link": invoice_file_absolute_url(invoice),
               "files": [f"{invoice.number}.{fmt}" for fmt in formats],
               "lines": [{"line": line, "amount": yuan(line.amount), "tax": yuan(line.tax_amount)}
                         for line in invoice.lines.all()],
               "link_days": getattr(settings, "INVOICE_FILE_LINK_DAYS", 30)}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("invoices/email/redelivery_subject.txt", context).strip()
        body = render_to_string("invoices/email/redelivery_body.txt", context)
    return subject, body


def invoice_redelivery_send(*, invoice_id, email, actor_id, formats=DEFAULT_FORMATS):
    """Compose the re-delivery email and announce it; the incidents app records it as a communication with the
    customer and delivers it with the files attached (invoices/signals.py)."""
    invoice = Invoice.objects.select_related("seller").prefetch_related("lines").get(pk=invoice_id)
    formats = _clean_formats(formats)
    subject, body = redelivery_message(invoice, formats)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    with acting_as(actor):  # history rows the receivers write name who asked for the re-delivery
        invoice_redelivered.send(sender=Invoice, invoice_id=invoice_id, email=email, actor_id=actor_id,
                                 subject=subject, body=body, attachments=formats)
