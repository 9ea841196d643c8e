"""The invoice's files as signed links that work without logging in (the invoice files' own links). A paper
invoice has none: its original is the printed sheet the buyer holds (invoices/files/paper.py). Files are offered
only once the platform holds the invoice (it is the platform that supplies them); a reissued invoice offers its
replacement's files, not the cancelled original's."""
from invoices.files.links import invoice_file_url
from invoices.files.paper import has_e_files
from invoices.ledger.models import SyncStatus

FORMATS = [("pdf", "PDF"), ("ofd", "OFD"), ("xml", "XML")]


def download_target(invoice, status=None):
    """The invoice whose files the customer is offered for `invoice`, or None."""
    target = status.new_invoice if status is not None and status.key == "reissued" else invoice
    if target is None or not has_e_files(target) or target.sync_status != SyncStatus.SYNCED:
        return None
    return target


def invoice_downloads(invoice, status=None):
    target = download_target(invoice, status)
    if target is None:
        return []
    return [{"format": label, "url": invoice_file_url(target, fmt), "number": target.number}
            for fmt, label in FORMATS]
