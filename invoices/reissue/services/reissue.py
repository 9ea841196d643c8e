"""The reissue workflow: request → approve (a second person) → red-letter form → red invoice → new
invoice → chain linked. Approval commits the decision and enqueues the completion job (invoices/reissue/jobs.py);
each step is its own transaction with its own idempotency key at the platform, so a worker killed mid-step, an
outage or a retry resumes at the step reached without issuing anything twice. An unavailable platform is retried
by the job spine with backoff; only when the job gives up is the request `failed`."""
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.api_errors import Conflict
from core.event_texts import fact
from invoices.ledger.models import (
    Direction,
    Invoice,
    InvoiceStatus,
    SyncStatus,
)
from invoices.ledger.money import line_tax, to_decimal
from invoices.ledger.services.issue import invoice_issue
from invoices.platform import gateway
from invoices.platform.gateway import CREDIT_EXCEEDED, InvoiceDraft, PlatformRejected
from invoices.reissue.models import (
    OPEN_REISSUE_STATUSES,
    VOID_FORM_STATUSES,
    RedLetterFormStatus,
    RedFlushReason,
    ReissueRequest,
    ReissueScope,
    ReissueStatus,
    ReissueStep,
)
from invoices.reissue.services.completion import completion_stalled, queue_completion
from invoices.reissue.services.events import mark_failed, reissue_event
from invoices.reissue.services.plan import (
    correction_kind,
    jsonable_lines,
    plan_red_lines,
    red_invoice_lines,
    red_remarks,
)
from invoices.reissue.services.buyer_forms import red_letter_form_answer
from invoices.reissue.services.redletter import red_letter_form_submit, red_letter_form_withdraw
from invoices.signals import invoice_reissued


def _check_original(original):
    if original.direction == Direction.RED:
        raise ValidationError({"original": [_("A red invoice cannot be reissued.")]})
    if original.status == InvoiceStatus.VOID:
        raise ValidationError({"original": [_("A voided invoice cannot be reissued.")]})
    if original.status == InvoiceStatus.RED_FLUSHED:
        raise ValidationError({"original": [_("Invoice %(n)s is already fully red-flushed.") % {"n": original}]})


def _dry_run_new_invoice(request, actor):
    """Validate the replacement invoice with the issue service itself, then roll it back."""

    class _Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            invoice_issue(**_new_invoice_kwargs(request, actor, number=""))
            raise _Rollback
    except _Rollback:
        pass
    except ValidationError as exc:
        raise ValidationError({f"new.{k}": v for k, v in exc.message_dict.items()})


def _drawer(request, actor):
    """开票人 of the red and the new invoice: the original's drawer, else the person who approved (or issues)."""
    if request.original.drawer:
        return request.original.drawer
    person = request.approved_by or actor
    return ((person.get_full_name() or person.get_username()) if person else "")[:50]


def _new_invoice_kwargs(request, actor, *, number):
    original = request.original
    buyer = request.new_buyer or original.buyer
    return dict(
        actor=actor, seller=original.seller, buyer=buyer, kind=correction_kind(original.kind), number=number,
        lines=request.new_lines, remarks=request.new_remarks, drawer=_drawer(request, actor),
        buyer_name=request.new_buyer_name or buyer.name,
        buyer_tax_id=request.new_buyer_tax_id if request.new_buyer_tax_id else buyer.tax_id,
        sync_status=SyncStatus.SYNCED,
    )


@transaction.atomic
def invoice_reissue_request(
    *, invoice, actor, reason, scope=ReissueScope.FULL, red_lines=None, issue_new=True, new_buyer=None,
    new_buyer_name="", new_buyer_tax_id="", new_lines=None, new_remarks="", note="",
    origin_ref="",
):
    original = Invoice.objects.select_for_update().get(pk=invoice.pk)
    _check_original(original)
    if reason not in RedFlushReason.values:
        raise ValidationError({"reason": [_("Reason is one of 01, 02, 03, 04.")]})
    if scope not in ReissueScope.values:
        raise ValidationError({"scope": [_("Scope is full or partial.")]})
    if reason == RedFlushReason.INVOICING_ERROR and (scope != ReissueScope.FULL or not issue_new):
        raise ValidationError({"scope": [
            _("An invoicing error (01) is corrected by a full red-flush and a new invoice; partial red-flushes "
              "are for returns (02), stopped services (03) and allowances (04).")
        ]})
    if original.reissue_requests.filter(status__in=OPEN_REISSUE_STATUSES).exists():
        raise Conflict(_("Invoice %(n)s already has an open reissue request.") % {"n": original})
    planned = plan_red_lines(original, scope, red_lines or [])
    if not planned:
        raise ValidationError({"red_lines": [_("Nothing is left to red-flush on %(n)s.") % {"n": original}]})
    request = ReissueRequest(
        original=original, reason=reason, scope=scope, red_lines=planned, issue_new=issue_new,
        new_buyer=new_buyer, new_buyer_name=(new_buyer_name or "").strip(), new_buyer_tax_id=new_buyer_tax_id or "",
        new_lines=jsonable_lines(new_lines or []), new_remarks=new_remarks or "",
        note=note or "", origin_ref=origin_ref or "", requested_by=actor,
    )
    if issue_new:
        if not new_lines:
            raise ValidationError({"new.lines": [_("The replacement invoice needs at least one line.")]})
        _dry_run_new_invoice(request, actor)
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        # Another clerk's request for the same invoice won the race (one open request per invoice).
        raise Conflict(_("Invoice %(n)s already has an open reissue request.") % {"n": original})
    reissue_event(request, "invoice.reissue.requested", actor, {"r": request.reason})
    return request


def _lock_request(request_id):
    return ReissueRequest.objects.select_for_update().select_related("original", "original__seller").get(
        pk=request_id
    )


@transaction.atomic
def invoice_reissue_approve(*, request, actor):
    """Second-person approval. The completion steps run after this commits."""
    req = _lock_request(request.pk)
    if req.requested_by_id == actor.pk:
        raise PermissionDenied(_("You cannot approve your own reissue request; another colleague must."))
    if req.status != ReissueStatus.REQUESTED:
        who = req.approved_by.get_username() if req.approved_by_id else "—"
        raise Conflict(_("The reissue request for invoice %(n)s is already %(s)s (by %(who)s).") % {
            "n": req.original, "s": req.get_status_display(), "who": who})
    req.status = ReissueStatus.APPROVED
    req.approved_by = actor
    req.approved_at = timezone.now()
    req.save(update_fields=["status", "approved_by", "approved_at"])
    reissue_event(req, "invoice.reissue.approved", actor)
    queue_completion(req, actor)
    return req


@transaction.atomic
def invoice_reissue_reject(*, request, actor, reason):
    req = _lock_request(request.pk)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the request is rejected.")]})
    if req.requested_by_id == actor.pk:
        raise PermissionDenied(_("You cannot decide your own reissue request."))
    if req.status != ReissueStatus.REQUESTED:
        raise Conflict(_("The reissue request for invoice %(n)s is already %(s)s.") % {"n": req.original, "s": req.get_status_display()})
    req.status = ReissueStatus.REJECTED
    req.decided_reason = reason.strip()
    req.approved_by = actor
    req.approved_at = timezone.now()
    req.save(update_fields=["status", "decided_reason", "approved_by", "approved_at"])
    reissue_event(req, "invoice.reissue.rejected", actor, {"r": req.decided_reason})
    return req


@transaction.atomic
def invoice_reissue_cancel(*, request, actor, reason=""):
    """Before approval the request is simply cancelled; once its form waits for the buyer (02), the form is
    withdrawn on the platform (08) first."""
    req = _lock_request(request.pk)
    form = req.red_letter_form
    if req.status == ReissueStatus.APPROVED and form is not None and form.status == RedLetterFormStatus.SELLER_ENTERED:
        return red_letter_form_withdraw(request=req, actor=actor)
    if req.status != ReissueStatus.REQUESTED:
        raise Conflict(_("Only a request awaiting approval, or one whose red-letter form waits for the buyer, can be "
                         "cancelled."))
    req.status = ReissueStatus.CANCELLED
    req.decided_reason = reason or ""
    req.save(update_fields=["status", "decided_reason"])
    reissue_event(req, "invoice.reissue.cancelled", actor)
    return req


def invoice_reissue_retry(*, request, actor):
    """A failed or lapsed request, or an approved one that no worker is finishing, goes back to the completion job;
    a form that lapsed or was denied is replaced by a new one, submitted under a new key."""
    with transaction.atomic():
        req = _lock_request(request.pk)
        if req.status not in (ReissueStatus.FAILED, ReissueStatus.LAPSED) and not completion_stalled(req):
            raise Conflict(_("Only a failed or stalled request can be retried (this one is %(s)s).") % {
                "s": req.get_status_display()})
        req.status = ReissueStatus.APPROVED
        req.failure = ""
        req.save(update_fields=["status", "failure"])
        reissue_event(req, "invoice.reissue.retried", actor)
        queue_completion(req, actor)
    return ReissueRequest.objects.get(pk=req.pk)


def invoice_reissue_complete(*, request_id, actor):
    """Run the remaining steps; each commits on its own. Returns the request as it ends. An unavailable platform
    propagates (PlatformUnavailable) so that the job spine retries it; a refusal stops the request `failed`."""
    for step in (_step_form, _step_red, _step_new, _step_link):
        with transaction.atomic():
            req = _lock_request(request_id)
            if req.status != ReissueStatus.APPROVED:
                return req
            try:
                if not step(req, actor):
                    return req
            except PlatformRejected as exc:
                code = "invoice.reissue.credit_exceeded" if exc.code == CREDIT_EXCEEDED else "invoice.reissue.platform_rejected"
                mark_failed(req, actor=actor, reason=fact(code, e=str(exc)))
                return req
            except ValidationError as exc:
                mark_failed(req, actor=actor, reason="; ".join(
                    f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()) if hasattr(exc, "error_dict")
                    else " ".join(exc.messages))
                return req
    return ReissueRequest.objects.get(pk=request_id)


def _step_form(req, actor):
    form = req.red_letter_form
    if form is None or form.status in VOID_FORM_STATUSES:
        if form is not None:
            req.form_round += 1  # a new form for a new round: the lapsed or denied one keeps its key
        lines = red_invoice_lines(req.original, req.red_lines)
        form = red_letter_form_submit(
            request=req, actor=actor, lines=jsonable_lines(lines),
            amount=sum((line["amount"] for line in lines), Decimal(0)),
            tax_amount=sum((line["tax_amount"] for line in lines), Decimal(0)),
        )
        req.red_letter_form = form
        req.step = ReissueStep.FORM
        req.save(update_fields=["red_letter_form", "step", "form_round"])
    if form.status == RedLetterFormStatus.BUYER_ENTERED:
        # The buyer's own form, accepted by two of finance (services/buyer_forms.py): confirm it on the platform.
        red_letter_form_answer(form=form, accept=True, actor=actor)
    if form.status == RedLetterFormStatus.SELLER_ENTERED:
        return False  # the buyer confirms in their 税务数字账户; reading 04 back resumes the chain
    if not form.usable:
        mark_failed(req, actor=actor, reason=fact("invoice.reissue.form_void", f=form.number, s=form.status))
        return False
    return True


def _platform_issue(req, *, key, kind, direction, buyer_name, buyer_tax_id, lines, remarks, drawer,
                    original_number="", original_code=""):
    amount = sum((to_decimal(line["amount"]) for line in lines), Decimal(0))
    tax = sum((to_decimal(line["tax_amount"]) for line in lines), Decimal(0))
    seller = req.original.seller
    return gateway.get_gateway().issue(InvoiceDraft(
        idempotency_key=key, kind=kind, seller_tax_id=seller.tax_id, seller_name=seller.name,
        region_code=seller.region_code, buyer_name=buyer_name, buyer_tax_id=buyer_tax_id,
        issued_at=timezone.now(), amount=amount, tax_amount=tax, total=amount + tax, lines=jsonable_lines(lines),
        direction=direction, original_number=original_number, original_code=original_code, remarks=remarks,
        drawer=drawer, red_letter_form_number=req.red_letter_form.number if direction == Direction.RED else "",
    ))


def _step_red(req, actor):
    if req.red_invoice_id:
        return True
    original = req.original
    lines = red_invoice_lines(original, req.red_lines)
    remarks = red_remarks(original, req.red_letter_form.number)
    kind = correction_kind(original.kind)
    receipt = _platform_issue(
        req, key=f"reissue-{req.pk}-red", kind=kind, direction=Direction.RED, buyer_name=original.buyer_name,
        buyer_tax_id=original.buyer_tax_id, lines=lines, remarks=remarks, drawer=_drawer(req, actor),
        original_number=original.number, original_code=original.code,
    )
    red = invoice_issue(
        actor=actor, seller=original.seller, buyer=original.buyer, kind=kind, number=receipt.number,
        direction=Direction.RED, original=original, lines=lines, remarks=remarks, drawer=_drawer(req, actor),
        buyer_name=original.buyer_name, buyer_tax_id=original.buyer_tax_id, sync_status=SyncStatus.SYNCED,
    )
    req.red_invoice = red
    req.step = ReissueStep.RED
    req.save(update_fields=["red_invoice", "step"])
    reissue_event(req, "invoice.reissue.red_issued", actor, {"n": str(red), "f": str(req.red_letter_form)},
                  red_invoice_id=red.pk)
    return True


def _step_new(req, actor):
    if req.new_invoice_id or not req.issue_new:
        return True
    kwargs = _new_invoice_kwargs(req, actor, number="")
    receipt = _platform_issue(
        req, key=f"reissue-{req.pk}-new", kind=kwargs["kind"], direction=Direction.BLUE,
        buyer_name=kwargs["buyer_name"], buyer_tax_id=kwargs["buyer_tax_id"] or "",
        lines=_priced(req.new_lines), remarks=req.new_remarks, drawer=kwargs["drawer"],
    )
    new = invoice_issue(**{**kwargs, "number": receipt.number})
    req.new_invoice = new
    req.step = ReissueStep.NEW
    req.save(update_fields=["new_invoice", "step"])
    reissue_event(req, "invoice.reissue.new_issued", actor, {"n": str(new)}, new_invoice_id=new.pk)
    return True


def _priced(lines):
    """Lines as the platform wants them: with the tax the issue service would compute when left out."""
    return [{**line, "tax_amount": line.get("tax_amount") or str(line_tax(line["amount"], line["tax_rate"]))}
            for line in lines]


def _step_link(req, actor):
    req.status = ReissueStatus.COMPLETED
    req.step = ReissueStep.DONE
    req.completed_at = timezone.now()
    req.save(update_fields=["status", "step", "completed_at"])
    reissue_event(req, "invoice.reissue.completed", actor, {
        "o": str(req.original), "f": str(req.red_letter_form), "r": str(req.red_invoice),
        "n": str(req.new_invoice) if req.new_invoice else ""}, red_invoice_id=req.red_invoice_id,
        new_invoice_id=req.new_invoice_id)
    # Inside the step's transaction: the incidents app's receivers enqueue their jobs in it (signals carry facts).
    invoice_reissued.send(sender=ReissueRequest, request_id=req.pk, original_id=req.original_id,
                          red_id=req.red_invoice_id, new_id=req.new_invoice_id, actor_id=getattr(actor, "pk", None))
    return True
