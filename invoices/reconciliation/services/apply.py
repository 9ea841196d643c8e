"""A person applies what a run proposes, or reverts it as a whole. Both are one transaction: the run, then the
invoices it changes (in primary-key order, a chunk at a time), each change with an event and a history row."""
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.event_texts import fact
from invoices.ledger.models import Invoice, InvoiceEvent, InvoiceEventKind
from invoices.reconciliation.models import ProposedChange, ReconciliationRun, RunStatus
from invoices.reconciliation.services.statuses import set_sync_status_for

CHUNK = 500
# The platform answered about the invoice itself: later than the export, so the export is stale for it.
CONFIRMING = (InvoiceEventKind.SYNC_SUCCEEDED, InvoiceEventKind.VERIFIED)
SKIP_CONFIRMED = "confirmed_later"
SKIP_UNCHANGED = "unchanged"
NAMED = 20


def _lock_run(run):
    return ReconciliationRun.objects.select_for_update().select_related("seller").get(pk=run.pk)


def _chunks(values):
    values = list(values)
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def _locked_statuses(ids):
    return dict(Invoice.objects.select_for_update().filter(pk__in=ids).order_by("pk")
                .values_list("pk", "sync_status"))


@transaction.atomic
def reconciliation_apply(*, run, actor, confirm_wrong_file=False, reason=""):
    """Set the proposed sync statuses. A run flagged as probably the wrong file needs confirm_wrong_file and a
    reason (recorded on the run). Invoices the platform confirmed after the file's export time are left alone.
    Returns {"applied", "confirmed_later", "unchanged"} counts."""
    run = _lock_run(run)
    reason = (reason or "").strip()
    if run.status != RunStatus.DONE:
        raise ValidationError({"run": [_("Only a finished run can be applied; this one is %(s)s.") % {
            "s": run.get_status_display()}]})
    if run.applied_at:
        raise ValidationError({"run": [_("This run was already applied on %(at)s.") % {
            "at": timezone.localtime(run.applied_at).strftime("%Y-%m-%d %H:%M")}]})
    if run.wrong_file:
        errors = {}
        if not confirm_wrong_file:
            errors["confirm_wrong_file"] = [_("This file is probably the wrong one; confirm that you want to apply "
                                              "it anyway.")]
        if not reason:
            errors["reason"] = [_("Say why this file is right although it looks wrong.")]
        if errors:
            raise ValidationError(errors)
    counts = {"applied": 0, SKIP_CONFIRMED: 0, SKIP_UNCHANGED: 0}
    changes = ProposedChange.objects.filter(run=run).order_by("invoice_id").values_list("invoice_id", "to_status")
    for chunk in _chunks(changes):
        ids = [invoice_id for invoice_id, _status in chunk]
        current = _locked_statuses(ids)
        confirmed = set(InvoiceEvent.objects.filter(invoice_id__in=ids, kind__in=CONFIRMING, at__gt=run.exported_at)
                        .values_list("invoice_id", flat=True))
        to_set, skipped, before = defaultdict(list), defaultdict(list), defaultdict(list)
        for invoice_id, to_status in chunk:
            if invoice_id in confirmed:
                skipped[SKIP_CONFIRMED].append(invoice_id)
            elif current.get(invoice_id) == to_status:
                skipped[SKIP_UNCHANGED].append(invoice_id)
            else:
                to_set[to_status].append(invoice_id)
                before[current[invoice_id]].append(invoice_id)
        for status, status_ids in to_set.items():
            set_sync_status_for(run, status_ids, status, actor.pk,
                                fact("invoice.reconciliation.applied", run=run.pk, status=status), data={"applied": True})
        for status, status_ids in before.items():
            ProposedChange.objects.filter(run=run, invoice_id__in=status_ids).update(applied=True, from_status=status)
            counts["applied"] += len(status_ids)
        for why, skip_ids in skipped.items():
            ProposedChange.objects.filter(run=run, invoice_id__in=skip_ids).update(skipped=why)
            counts[why] += len(skip_ids)
    run.applied_at, run.applied_by, run.apply_reason = timezone.now(), actor, reason
    run.proposal = {**run.proposal, "result": counts}
    run.save(update_fields=["applied_at", "applied_by", "apply_reason", "proposal"])
    return counts


@transaction.atomic
def reconciliation_revert(*, run, actor):
    """Put back the sync status every applied change replaced, all or nothing: refused, naming the invoices,
    when any of them changed after the apply (another event, or another sync status)."""
    run = _lock_run(run)
    if not run.applied_at:
        raise ValidationError({"run": [_("This run has not been applied; there is nothing to revert.")]})
    if run.reverted_at:
        raise ValidationError({"run": [_("This run was already reverted.")]})
    changes = list(ProposedChange.objects.filter(run=run, applied=True).order_by("invoice_id")
                   .values_list("invoice_id", "to_status", "from_status"))
    touched = []
    for chunk in _chunks(changes):
        ids = [c[0] for c in chunk]
        current = _locked_statuses(ids)
        later = set(InvoiceEvent.objects.filter(invoice_id__in=ids, at__gt=run.applied_at)
                    .values_list("invoice_id", flat=True))
        touched += [invoice_id for invoice_id, to_status, _from in chunk
                    if invoice_id in later or current.get(invoice_id) != to_status]
    if touched:
        numbers = list(Invoice.objects.filter(pk__in=touched[:NAMED]).order_by("pk").values_list("code", "number"))
        names = ", ".join(f"{c}-{n}" if c else n for c, n in numbers)
        more = len(touched) - len(numbers)
        raise ValidationError({"run": [
            _("Cannot revert: %(n)d invoices changed after this run was applied (%(names)s%(more)s). Handle them "
              "one by one.") % {"n": len(touched), "names": names,
                                "more": _(" and %(m)d more") % {"m": more} if more else ""}]})
    by_status = defaultdict(list)
    for invoice_id, _to, from_status in changes:
        by_status[from_status].append(invoice_id)
    for status, ids in by_status.items():
        set_sync_status_for(run, ids, status, actor.pk,
                            fact("invoice.reconciliation.reverted", run=run.pk, status=status), data={"reverted": True})
    run.reverted_at, run.reverted_by = timezone.now(), actor
    run.save(update_fields=["reverted_at", "reverted_by"])
    return len(changes)
