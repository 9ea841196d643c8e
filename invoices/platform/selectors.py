"""Reads of the platform subdomain reused by the invoice page."""
from invoices.platform.models import SyncAttempt, SyncOperation, SyncOutcome


def upload_refusal_code(invoice_id):
    """The platform's code when the invoice's latest upload was refused (CREDIT_EXCEEDED, TAX_ID_NOT_REGISTERED…),
    else ""."""
    attempt = (SyncAttempt.objects.filter(invoice_id=invoice_id, operation=SyncOperation.UPLOAD)
               .order_by("-started_at", "-id").values("outcome", "error_code").first())
    if attempt is None or attempt["outcome"] != SyncOutcome.REJECTED:
        return ""
    return attempt["error_code"]

