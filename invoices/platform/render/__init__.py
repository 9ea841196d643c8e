"""The simulated platform's files for one invoice, drawn from what the platform holds (its record's payload):
PDF (as the 数电 layout), OFD (a zip of OFD.xml and its document) and XML (docs/invoice-files.md)."""
from invoices.platform.render.document import InvoiceDocument
from invoices.platform.render.ofd import render_ofd
from invoices.platform.render.pdf import render_pdf
from invoices.platform.render.xml import render_xml

FORMATS = {
    "pdf": ("application/pdf", render_pdf),
    "ofd": ("application/ofd", render_ofd),
    "xml": ("application/xml", render_xml),
}


def render(payload, fmt):
    """(bytes, content type) of one format for a platform record's payload."""
    content_type, renderer = FORMATS[fmt]
    return renderer(InvoiceDocument.from_payload(payload)), content_type


__all__ = ["FORMATS", "InvoiceDocument", "render"]
