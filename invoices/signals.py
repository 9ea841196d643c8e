"""Facts the invoices app announces, all defined here. Other apps (incidents) listen, and so does a subdomain
that must act on a lower one's fact without the lower one importing it (the platform queues the upload of an
invoice the ledger issued); nothing here imports a subdomain.

Every signal is sent inside the transaction that establishes the fact. A receiver does no work there: it enqueues a
named job (core/jobs.enqueue_on_commit) in that same transaction, so the reaction exists if and only if the fact
commits, and runs after the commit with the spine's lease, retries and 重试."""
from django.dispatch import Signal

# An invoice was issued. kwargs: invoice_id, actor_id
invoice_issued = Signal()

# The platform subdomain records their sync state and queues their uploads after commit.
# kwargs: invoice_ids (list[int]), batch (bool: an import's many invoices, queued by fan-out tasks)
invoices_awaiting_upload = Signal()

# A sync attempt ended in `failed` for good (rejected, or retries exhausted).
# kwargs: invoice_ids (list[int]), reason (str), code (str, platform's code or "")
invoice_sync_failed = Signal()

# A seller's remaining credit limit (授信额度) on the platform fell below the warning share: finance is told once per
# low spell. kwargs: seller_id, total, used, remaining (Decimal strings, yuan), checked_at (aware datetime)
platform_credit_low = Signal()

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

# The same invoice is to be sent to the customer again (they lost the file): the incidents app sends the composed
# email as a communication, fetching the attachments (formats of the invoice's files) when it goes out.
# kwargs: invoice_id, email, actor_id, subject, body, attachments (list of "pdf" | "ofd" | "xml")
invoice_redelivered = Signal()

# A red-letter form the seller entered waits for the buyer's confirmation in their 税务数字账户 (status 02); sent
# when it starts waiting and once more as the 48-hour reminder.
# kwargs: request_id, original_id, form_number (str), lapses_at (ISO time), requester_id, reminder (bool)
red_letter_form_waiting = Signal()

# The platform newly flags an invoice 异常凭证 or 疑点发票 (发票风险等级, read from its export by a reconciliation run):
# the incidents app opens one incident per invoice for finance. Sent for a change into either level (an invoice
# going from 疑点发票 to 异常凭证 is flagged anew), never for a change back to 正常.
# kwargs: invoice_id, number (str: "code-number" for a legacy invoice), seller_id, risk_level ("abnormal" |
# "suspicious"), previous ("normal" | "abnormal" | "suspicious"), run_id (the reconciliation run that read it)
invoice_risk_flagged = Signal()

# A platform check (invoices.reconciliation) read the platform's whole listing of a seller's period and found invoices
# missing there (marked `missing` and uploaded again) or held otherwise (marked `mismatch`): the incidents app opens
# one incident per check for finance. kwargs: check_id, seller_id, issued_from, issued_to (ISO dates), missing_ids,
# mismatch_ids (list[int]), counts (dict: pages, listed, matched and one count per discrepancy kind)
platform_check_found = Signal()

# An invoice a platform check found missing was uploaded again and the platform has it now (sent once, by the sync).
# kwargs: invoice_id, platform_id (str), at (aware datetime)
invoice_back_on_platform = Signal()
