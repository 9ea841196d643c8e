"""Getting an invoice's file: the stored copy, else the platform's (stored with its hash on first fetch), and
the download recorded on the invoice's events."""
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from invoices.files.models import FileFormat, InvoiceFile
from invoices.files.paper import has_e_files, paper_original_message
from invoices.ledger.models import Invoice, InvoiceEventKind
from invoices.ledger.services.events import invoice_event_record
from invoices.platform.gateway import PlatformError, PlatformUnavailable, get_gateway

class InvoiceFileError(Exception):
    """The file cannot be had. `waiting` is True when asking again later may help (the platform is down)."""

    waiting = False


class InvoiceFileUnavailable(InvoiceFileError):
    waiting = True


class InvoiceFileMissing(InvoiceFileError):
    pass


class InvoicePaperOriginal(InvoiceFileMissing):
    """A paper invoice: its original is the printed sheet the buyer holds; there is no e-file to give."""


def check_format(fmt):
    if fmt not in FileFormat.values:
        raise ValueError(_("Format must be one of %(choices)s.") % {"choices": ", ".join(FileFormat.values)})
    return fmt


def invoice_file_get(*, invoice, fmt):
    """The stored file, fetching and storing it the first time. Talks to the platform outside any transaction."""
    check_format(fmt)
    if not has_e_files(invoice):
        raise InvoicePaperOriginal(paper_original_message(invoice))
    stored = InvoiceFile.objects.filter(invoice_id=invoice.pk, format=fmt).select_related("invoice").first()
    if stored is not None:
        return stored
    try:
        found = get_gateway().download(invoice, fmt)
    except PlatformUnavailable as exc:
        raise InvoiceFileUnavailable(
            _("The tax platform cannot supply the %(fmt)s of invoice %(n)s right now: %(e)s")
            % {"fmt": fmt.upper(), "n": invoice.number, "e": exc}) from exc
    except PlatformError as exc:
        raise InvoiceFileMissing(_("The tax platform refused the file of invoice %(n)s: %(e)s")
                                 % {"n": invoice.number, "e": exc}) from exc
    if found is None:
        raise InvoiceFileMissing(_("The tax platform has no invoice %(n)s (it may not be synced yet).")
                                 % {"n": invoice.number})
    return _store(invoice=invoice, fmt=fmt, content=found.content, content_type=found.content_type)


def _store(*, invoice, fmt, content, content_type):
    try:
        with transaction.atomic():
            Invoice.objects.select_for_update().only("pk").get(pk=invoice.pk)  # one first fetch per invoice stored
            stored = InvoiceFile.objects.filter(invoice_id=invoice.pk, format=fmt).first()
            if stored is not None:
                return stored
            row = InvoiceFile(invoice=invoice, format=fmt, content_type=content_type, size=len(content),
                              sha256=InvoiceFile.digest(content))
            row.file.save(f"{invoice.number}.{fmt}", ContentFile(content), save=False)
            row.save()
            return row
    except IntegrityError:  # another worker stored it between our check and our insert
        return InvoiceFile.objects.select_related("invoice").get(invoice_id=invoice.pk, format=fmt)


def invoice_file_download(*, invoice, fmt, actor=None, via):
    """A person downloads the file (staff page, API or a customer's link): get it and log it on the invoice."""
    stored = invoice_file_get(invoice=invoice, fmt=fmt)
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        invoice_event_record(
            invoice=locked, kind=InvoiceEventKind.FILE_DOWNLOADED, actor=actor,
            code="invoice.file.downloaded", params={"fmt": fmt.upper(), "via": via},
            data={"format": fmt, "via": via, "sha256": stored.sha256},
        )
    return stored
