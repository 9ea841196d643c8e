"""ZIP archives of many invoices' files, written as a stream: one file's chunk in memory at a time, whatever the
number of invoices (zipfile writes data descriptors when its output cannot seek)."""
import zipfile

from django.utils.translation import gettext as _

from invoices.files.models import InvoiceFile
from invoices.files.services.fetch import InvoiceFileError, InvoiceFileMissing, invoice_file_get

CHUNK = 64 * 1024
MISSING_NAME = "未能获取的发票.txt"


class _Sink:
    """A write-only, unseekable file whose bytes are taken away as they come."""

    def __init__(self):
        self.buffer = bytearray()
        self.position = 0

    def write(self, data):
        self.buffer += data
        self.position += len(data)
        return len(data)

    def tell(self):
        return self.position

    def flush(self):
        pass

    def take(self):
        data = bytes(self.buffer)
        self.buffer.clear()
        return data


def member_name(invoice, fmt):
    return f"{invoice.code}-{invoice.number}.{fmt}" if invoice.code else f"{invoice.number}.{fmt}"


def _stored(invoice, fmt):
    stored = InvoiceFile.objects.filter(invoice_id=invoice.pk, format=fmt).first()
    if stored is None:
        raise InvoiceFileMissing(_("The file of invoice %(n)s was not fetched from the tax platform.")
                                 % {"n": invoice.number})
    return stored


def zip_stream(invoices, *, fmt="pdf", on_progress=None, stored_only=False):
    """Yield the bytes of a ZIP of each invoice's file. Files the platform cannot supply (or, with stored_only,
    that were never fetched) are listed in a text member instead; on_progress(done, missing) is called after
    each invoice."""
    sink = _Sink()
    missing, platform_down = [], False
    # PDFs are compressed already: storing them costs no size and keeps the CPU free.
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        done = 0
        for invoice in invoices:
            try:
                if stored_only or platform_down:
                    stored = _stored(invoice, fmt)
                else:
                    stored = invoice_file_get(invoice=invoice, fmt=fmt)
            except InvoiceFileError as exc:
                # After one timeout the platform is not asked again for this archive: the rest would each wait as long.
                platform_down = platform_down or exc.waiting
                missing.append(f"{invoice.number}\t{exc}")
            else:
                with stored.file.open("rb") as source, archive.open(member_name(invoice, fmt), "w",
                                                                    force_zip64=stored.size > 2**31) as target:
                    while block := source.read(CHUNK):
                        target.write(block)
                        if len(sink.buffer) >= CHUNK:
                            yield sink.take()
            done += 1
            if on_progress is not None:
                on_progress(done, missing)
            if sink.buffer:
                yield sink.take()
        if missing:
            archive.writestr(MISSING_NAME, "\n".join(missing) + "\n")
    yield sink.take()
