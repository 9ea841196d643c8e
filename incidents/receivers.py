"""Receivers for the invoice side's signals (invoices/signals.py), connected in IncidentsConfig.ready(). The signals
are sent inside the transaction that establishes the fact; each receiver only enqueues the named job of
incidents/jobs.py in it, so the reaction exists exactly when the fact commits, and a failure is a failed job with its
error and 重试, never a log line."""
from core.jobs import enqueue_on_commit
from invoices import signals


def on_platform_unavailable(sender, *, invoice_ids, error, at, **kwargs):
    enqueue_on_commit("incidents.platform_unavailable", invoice_ids=list(invoice_ids), error=str(error),
                      at=at.isoformat())


def on_platform_recovered(sender, *, at, **kwargs):
    enqueue_on_commit("incidents.platform_recovered", at=at.isoformat())


def on_invoice_sync_failed(sender, *, invoice_ids, reason, code, **kwargs):
    # `reason` is a fact (code and parameters, core/event_texts.py): plain JSON, rendered when the timeline is read.
    enqueue_on_commit("incidents.invoice_sync_failed", invoice_ids=list(invoice_ids), reason=reason,
                      code=code or "")


def on_invoice_verify_failed(sender, *, invoice_id, outcome, detail, actor_id=None, **kwargs):
    enqueue_on_commit("incidents.invoice_verify_failed", invoice_id=invoice_id, outcome=outcome, detail=detail,
                      actor_id=actor_id)


def on_invoice_reissued(sender, *, request_id, original_id, red_id, new_id, actor_id, **kwargs):
    enqueue_on_commit("incidents.invoice_reissued", key=f"reissued-{request_id}", request_id=request_id,
                      original_id=original_id, red_id=red_id, new_id=new_id, actor_id=actor_id)


def on_invoice_redelivered(sender, *, invoice_id, email, actor_id, subject="", body="", attachments=(), **kwargs):
    enqueue_on_commit("incidents.invoice_redelivered", invoice_id=invoice_id, email=email, actor_id=actor_id,
                      subject=subject, body=body, attachments=list(attachments))


def on_red_letter_form_waiting(sender, *, request_id, original_id, form_number, lapses_at, requester_id, reminder,
                               **kwargs):
    enqueue_on_commit("incidents.red_letter_form_waiting", key=f"form-{form_number}-{'remind' if reminder else 'ask'}",
                      request_id=request_id, original_id=original_id, form_number=form_number, lapses_at=lapses_at,
                      requester_id=requester_id, reminder=reminder)


def on_platform_credit_low(sender, *, seller_id, total, used, remaining, checked_at, **kwargs):
    enqueue_on_commit("incidents.platform_credit_low", seller_id=seller_id, total=str(total), used=str(used),
                      remaining=str(remaining), checked_at=checked_at.isoformat())


def on_invoice_risk_flagged(sender, *, invoice_id, risk_level, previous, run_id, **kwargs):
    enqueue_on_commit("incidents.invoice_risk_flagged", key=f"risk-{invoice_id}-{run_id}", invoice_id=invoice_id,
                      risk_level=risk_level, previous=previous, run_id=run_id)


def on_platform_check_found(sender, *, check_id, seller_id, issued_from, issued_to, missing_ids, mismatch_ids,
                            counts, **kwargs):
    enqueue_on_commit("incidents.platform_check_found", key=f"check-{check_id}", check_id=check_id,
                      seller_id=seller_id, issued_from=issued_from, issued_to=issued_to, missing_ids=list(missing_ids),
                      mismatch_ids=list(mismatch_ids), counts=dict(counts))


def on_invoice_back_on_platform(sender, *, invoice_id, platform_id="", at=None, **kwargs):
    enqueue_on_commit("incidents.invoice_back_on_platform", invoice_id=invoice_id, platform_id=platform_id,
                      at=at.isoformat() if at else None)


def connect():
    signals.platform_unavailable.connect(on_platform_unavailable, dispatch_uid="incidents.platform_unavailable")
    signals.platform_recovered.connect(on_platform_recovered, dispatch_uid="incidents.platform_recovered")
    signals.invoice_sync_failed.connect(on_invoice_sync_failed, dispatch_uid="incidents.invoice_sync_failed")
    signals.invoice_verify_failed.connect(on_invoice_verify_failed, dispatch_uid="incidents.invoice_verify_failed")
    signals.invoice_reissued.connect(on_invoice_reissued, dispatch_uid="incidents.invoice_reissued")
    signals.invoice_redelivered.connect(on_invoice_redelivered, dispatch_uid="incidents.invoice_redelivered")
    signals.red_letter_form_waiting.connect(on_red_letter_form_waiting, dispatch_uid="incidents.red_letter_form_waiting")
    signals.platform_credit_low.connect(on_platform_credit_low, dispatch_uid="incidents.platform_credit_low")
    signals.invoice_risk_flagged.connect(on_invoice_risk_flagged, dispatch_uid="incidents.invoice_risk_flagged")
    signals.platform_check_found.connect(on_platform_check_found, dispatch_uid="incidents.platform_check_found")
    signals.invoice_back_on_platform.connect(on_invoice_back_on_platform,
                                             dispatch_uid="incidents.invoice_back_on_platform")
