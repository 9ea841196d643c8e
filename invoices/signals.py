"""Facts the ledger announces. Other apps (incidents) listen; `invoices` never imports them.

Every signal is sent after the transaction that established the fact has committed."""
from django.dispatch import Signal

from .services.issue import invoice_issued  # noqa: F401  kwargs: invoice_id, actor_id

# A sync attempt ended in `failed` for good (rejected, or retries exhausted).
# kwargs: invoice_ids (list[int]), reason (str), code (str, platform's code or "")
invoice_sync_failed = Signal()

# The platform could not be reached. kwargs: invoice_ids (list[int]), error (str), at (aware datetime)
platform_unavailable = Signal()

# The platform answered again after being unavailable. kwargs: at (aware datetime)
platform_recovered = Signal()

# Verify found the platform without the invoice or disagreeing with it.
# kwargs: invoice_id, outcome ("missing" | "mismatch"), detail (dict), actor_id (None when the system checked;
# detail["source"] == "reconciliation" when finance flagged it from a reconciliation run)
invoice_verify_failed = Signal()

# A reissue chain completed. kwargs: request_id, original_id, red_id, new_id, actor_id
invoice_reissued = Signal()

# The same invoice was sent to the customer again (they lost the file). kwargs: invoice_id, email, actor_id
invoice_redelivered = Signal()
