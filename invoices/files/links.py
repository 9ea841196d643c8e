"""The customer's download link: /files/<token>/, the token signed by Django's signing for this purpose only,
naming one invoice, valid settings.INVOICE_FILE_LINK_DAYS days (default 30). The customer portal builds its
links with `invoice_file_url(invoice, fmt="pdf")`."""
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.http import Http404
from django.urls import reverse

from invoices.files.models import FileFormat
from invoices.ledger.models import Invoice

SALT = "invoices.files.link"


def link_max_age():
    return timedelta(days=getattr(settings, "INVOICE_FILE_LINK_DAYS", 30))


def invoice_file_url(invoice, fmt="pdf") -> str:
    """The path of the customer's link to this invoice's file (prefix PUBLIC_BASE_URL for emails)."""
    if fmt not in FileFormat.values:
        raise ValueError(fmt)
    # The number rides along, so a token never names another invoice even if ids were ever reused.
    token = signing.dumps({"i": invoice.pk, "n": invoice.number}, salt=SALT, compress=True)
    path = reverse("invoice-file-link", args=[token])
    return path if fmt == "pdf" else f"{path}?format={fmt}"


def invoice_file_absolute_url(invoice, fmt="pdf") -> str:
    base = (getattr(settings, "PUBLIC_BASE_URL", "") or "").rstrip("/")
    return base + invoice_file_url(invoice, fmt)


def invoice_from_file_token(token, fmt):
    """The invoice a valid, unexpired token names, for a known format; Http404 for anything else."""
    if fmt not in FileFormat.values:
        raise Http404("unknown format")
    try:
        data = signing.loads(token, salt=SALT, max_age=link_max_age())
    except signing.BadSignature:  # tampered, expired (SignatureExpired is a BadSignature) or not a token
        raise Http404("invalid or expired link") from None
    if not isinstance(data, dict):
        raise Http404("invalid link")
    invoice = Invoice.objects.select_related("seller").filter(pk=data.get("i"), number=data.get("n")).first()
    if invoice is None:
        raise Http404("no such invoice")
    return invoice
