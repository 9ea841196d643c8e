"""The invoice's files as signed links that work without logging in (the invoice files' own links)."""
from invoices.files.links import invoice_file_url

FORMATS = [("pdf", "PDF"), ("ofd", "OFD"), ("xml", "XML")]


def invoice_downloads(invoice):
    return [{"format": label, "url": invoice_file_url(invoice, fmt)} for fmt, label in FORMATS]
