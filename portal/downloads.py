"""The invoice's files as signed links that work without logging in (the invoice files' own links). A paper
invoice has none: its original is the printed sheet the buyer holds (invoices/files/paper.py)."""
from invoices.files.links import invoice_file_url
from invoices.files.paper import has_e_files

FORMATS = [("pdf", "PDF"), ("ofd", "OFD"), ("xml", "XML")]


def invoice_downloads(invoice):
    if not has_e_files(invoice):
        return []
    return [{"format": label, "url": invoice_file_url(invoice, fmt)} for fmt, label in FORMATS]
