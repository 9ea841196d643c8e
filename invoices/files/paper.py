"""Paper invoices (增值税专用/普通发票 on paper, 卷票, 机动车销售统一发票, 数电纸质发票): the original was printed and
handed to the buyer, and that printed sheet is the invoice. The platform holds their data, not an e-file the buyer
could book, so the back office never fetches or offers a PDF, OFD or XML for them as if they were e-invoices:
every place that offers files (staff page, API, customer link, portal, ZIP, re-delivery, emails) asks here first."""
from django.utils.translation import gettext as _

from invoices.ledger.models import ELECTRONIC_KINDS


def has_e_files(invoice) -> bool:
    """Whether the invoice is electronic (数电 or a legacy e-invoice), so its files exist."""
    return invoice.kind in ELECTRONIC_KINDS


def paper_original_message(invoice) -> str:
    """What staff and customers read where a file would be offered."""
    return _("Invoice %(n)s is a paper invoice: the paper original is with the buyer; there is no electronic file "
             "of it to download or send.") % {"n": invoice}
