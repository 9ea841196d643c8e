"""Receivers for the ledger's signals (invoices/signals.py), connected in IncidentsConfig.ready(): each turns
one signal into one call of incidents/services/invoice_facts.py, where the grouping rules live.

The ledger sends these after its own commit, so a failure here must not break the sender: it is logged
with its traceback and the ledger's work stands."""
import functools
import logging

from invoices import signals

from .services import invoice_facts

log = logging.getLogger(__name__)


def logged(receiver):
    @functools.wraps(receiver)
    def wrapper(*args, **kwargs):
        try:
            return receiver(*args, **kwargs)
        except Exception:
            log.exception("incidents receiver %s failed for %s", receiver.__name__, kwargs)
            return None

    return wrapper


@logged
def on_platform_unavailable(sender, *, invoice_ids, error, at, **kwargs):
    return invoice_facts.platform_unavailable_record(invoice_ids=invoice_ids, error=error, at=at)


@logged
def on_platform_recovered(sender, *, at, **kwargs):
    return invoice_facts.platform_recovered_record(at=at)


@logged
def on_invoice_sync_failed(sender, *, invoice_ids, reason, code, **kwargs):
    return invoice_facts.invoice_sync_failed_record(invoice_ids=invoice_ids, reason=reason, code=code)


@logged
def on_invoice_verify_failed(sender, *, invoice_id, outcome, detail, actor_id=None, **kwargs):
    return invoice_facts.invoice_verify_failed_record(invoice_id=invoice_id, outcome=outcome, detail=detail,
                                                      actor_id=actor_id)


@logged
def on_invoice_reissued(sender, *, request_id, original_id, red_id, new_id, actor_id, **kwargs):
    return invoice_facts.invoice_reissued_record(request_id=request_id, original_id=original_id, red_id=red_id,
                                                 new_id=new_id, actor_id=actor_id)


@logged
def on_invoice_redelivered(sender, *, invoice_id, email, actor_id, subject="", body="", attachments=(), **kwargs):
    return invoice_facts.invoice_redelivered_record(invoice_id=invoice_id, email=email, actor_id=actor_id,
                                                    subject=subject, body=body, attachments=attachments)


def connect():
    signals.platform_unavailable.connect(on_platform_unavailable, dispatch_uid="incidents.platform_unavailable")
    signals.platform_recovered.connect(on_platform_recovered, dispatch_uid="incidents.platform_recovered")
    signals.invoice_sync_failed.connect(on_invoice_sync_failed, dispatch_uid="incidents.invoice_sync_failed")
    signals.invoice_verify_failed.connect(on_invoice_verify_failed, dispatch_uid="incidents.invoice_verify_failed")
    signals.invoice_reissued.connect(on_invoice_reissued, dispatch_uid="incidents.invoice_reissued")
    signals.invoice_redelivered.connect(on_invoice_redelivered, dispatch_uid="incidents.invoice_redelivered")
