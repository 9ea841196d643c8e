"""Forms the buyer entered on the platform (03 购方录入待销方确认): fetched into finance's queue, answered by two
finance people (one proposes to confirm or deny, another agrees), then confirmed or denied on the platform. A
confirmed one becomes an approved reissue request that goes on to the red invoice and, where the proposal says
the buyer asked for it, a new invoice."""
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.api_errors import Conflict
from core.jobs import enqueue_on_commit
from invoices.ledger.models import Invoice, InvoiceEventKind, Seller
from invoices.ledger.money import to_decimal
from invoices.ledger.services.events import invoice_event_record
from invoices.platform import gateway
from invoices.reissue.models import (
    OPEN_REISSUE_STATUSES,
    FormProposal,
    RedFlushReason,
    RedLetterForm,
    RedLetterFormStatus,
    ReissueRequest,
    ReissueScope,
    ReissueStatus,
    ReissueStep,
)
from invoices.reissue.services.completion import queue_completion
from invoices.reissue.services.events import reissue_event
from invoices.reissue.services.plan import jsonable_lines, original_lines_as_input, plan_red_lines, remaining_lines

ANSWER_JOB = "reissue.answer_buyer_form"


def _event(form, code, actor=None, **params):
    invoice_event_record(invoice=form.original, kind=InvoiceEventKind.REISSUE, actor=actor, code=code,
                         params={"n": form.number, "s": form.status, **params},
                         data={"form": form.number, "status": form.status})


def buyer_forms_fetch():
    """Scheduled: list each seller's forms the buyer entered (03) into the queue. Returns (new, unknown): forms
    against an invoice this ledger does not hold are counted, not invented."""
    api = gateway.get_gateway()
    new = unknown = 0
    for seller in Seller.objects.order_by("id"):
        for answer in api.red_letter_forms_waiting(seller.tax_id):
            original = Invoice.objects.filter(seller=seller, code=answer.original_code,
                                              number=answer.original_number).first()
            if original is None:
                unknown += 1
                continue
            with transaction.atomic():
                form, created = RedLetterForm.objects.get_or_create(number=answer.number, defaults=dict(
                    original=original, reason=answer.reason if answer.reason in RedFlushReason.values else "01",
                    status=answer.status, entered_by="buyer", amount=answer.amount, tax_amount=answer.tax_amount,
                    lines=answer.lines, created_at=answer.created_at or timezone.now(), lapses_at=answer.lapses_at,
                    checked_at=timezone.now(),
                ))
                if created:
                    _event(form, "invoice.redletter.buyer_entered")
                    new += 1
    return new, unknown


def _check_finance(actor):
    if not actor.has_perm("invoices.reissue_invoice"):
        raise PermissionDenied(_("You may not answer red-letter forms."))


def _lock_waiting(form):
    locked = RedLetterForm.objects.select_for_update().select_related("original").get(pk=form.pk)
    if locked.entered_by != "buyer" or locked.status != RedLetterFormStatus.BUYER_ENTERED:
        raise Conflict(_("Red-letter form %(n)s is %(s)s; only a form the buyer entered and that waits for us (03) "
                         "can be answered.") % {"n": locked.number, "s": locked.get_status_display()})
    if locked.lapses_at and locked.lapses_at <= timezone.now():
        raise Conflict(_("Red-letter form %(n)s lapsed at %(t)s (72 hours after the buyer entered it).") % {
            "n": locked.number, "t": timezone.localtime(locked.lapses_at).strftime("%Y-%m-%d %H:%M")})
    return locked


@transaction.atomic
def buyer_form_propose(*, form, actor, accept, issue_new=False, note=""):
    """The first finance person's proposal; nothing reaches the platform until a second one agrees."""
    _check_finance(actor)
    locked = _lock_waiting(form)
    if locked.proposal:
        raise Conflict(_("%(who)s already proposed an answer to form %(n)s; agree with it or send it back.") % {
            "who": locked.proposed_by.get_username(), "n": locked.number})
    if not accept and not (note or "").strip():
        raise ValidationError({"proposal_note": [_("Say why the buyer's form should be denied.")]})
    locked.proposal = FormProposal.ACCEPT if accept else FormProposal.REFUSE
    locked.proposal_issue_new = bool(accept and (issue_new or locked.reason == RedFlushReason.INVOICING_ERROR))
    locked.proposal_note = (note or "").strip()
    locked.proposed_by, locked.proposed_at = actor, timezone.now()
    locked.save(update_fields=["proposal", "proposal_issue_new", "proposal_note", "proposed_by", "proposed_at"])
    _event(locked, "invoice.redletter.proposed", actor, p=locked.proposal)
    return locked


@transaction.atomic
def buyer_form_send_back(*, form, actor):
    """The second person disagrees: the proposal is cleared and the form is back in the queue."""
    _check_finance(actor)
    locked = _lock_waiting(form)
    if not locked.proposal:
        raise Conflict(_("Form %(n)s has no proposal to send back.") % {"n": locked.number})
    if locked.proposed_by_id == actor.pk:
        raise PermissionDenied(_("You cannot send back your own proposal; withdraw it by asking a colleague."))
    locked.proposal, locked.proposal_note, locked.proposed_by, locked.proposed_at = "", "", None, None
    locked.proposal_issue_new = False
    locked.save(update_fields=["proposal", "proposal_issue_new", "proposal_note", "proposed_by", "proposed_at"])
    _event(locked, "invoice.redletter.sent_back", actor)
    return locked


def _red_lines_of(form):
    """The form's lines as the request's planned red lines (positive per original line, a discount line negative),
    checked against what remains of the original."""
    chosen = [{"line_no": int(line["line_no"]), "amount": str(-to_decimal(line["amount"])),
               "quantity": str(-to_decimal(line["quantity"])) if line.get("quantity") not in (None, "") else None}
              for line in form.lines]
    left = sum((r.amount for r in remaining_lines(form.original)), Decimal(0))
    asked = sum((to_decimal(c["amount"]) for c in chosen), Decimal(0))
    if asked == left:
        return ReissueScope.FULL, plan_red_lines(form.original, ReissueScope.FULL, [])
    return ReissueScope.PARTIAL, plan_red_lines(form.original, ReissueScope.PARTIAL, chosen)


@transaction.atomic
def buyer_form_agree(*, form, actor):
    """The second finance person agrees. Confirm: an approved reissue request takes the form on (its completion
    confirms the form on the platform, then issues the red and, if proposed, the new invoice). Deny: a job denies
    it on the platform."""
    _check_finance(actor)
    locked = _lock_waiting(form)
    if not locked.proposal:
        raise Conflict(_("Nobody has proposed an answer to form %(n)s yet.") % {"n": locked.number})
    if locked.proposed_by_id == actor.pk:
        raise PermissionDenied(_("You cannot agree with your own proposal; another colleague must."))
    locked.answered_by, locked.answered_at = actor, timezone.now()
    locked.save(update_fields=["answered_by", "answered_at"])
    _event(locked, "invoice.redletter.agreed", actor, p=locked.proposal)
    if locked.proposal == FormProposal.REFUSE:
        enqueue_on_commit(ANSWER_JOB, key=f"buyer-form-{locked.pk}", form_id=locked.pk, accept=False,
                          actor_id=actor.pk)
        return locked
    return _request_from(locked, actor)


def _request_from(form, actor):
    original = Invoice.objects.select_for_update().get(pk=form.original_id)
    if original.reissue_requests.filter(status__in=OPEN_REISSUE_STATUSES).exists():
        raise Conflict(_("Invoice %(n)s already has an open reissue request; finish or cancel it first.") % {
            "n": original})
    scope, planned = _red_lines_of(form)
    now = timezone.now()
    request = ReissueRequest(
        original=original, reason=form.reason, scope=scope, red_lines=planned, issue_new=form.proposal_issue_new,
        new_lines=jsonable_lines(original_lines_as_input(original)) if form.proposal_issue_new else [],
        new_remarks=original.remarks if form.proposal_issue_new else "",
        note=form.proposal_note or _("The buyer entered red-letter form %(n)s.") % {"n": form.number},
        status=ReissueStatus.APPROVED, step=ReissueStep.FORM, requested_by=form.proposed_by, approved_by=actor,
        approved_at=now, red_letter_form=form,
    )
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        raise Conflict(_("Invoice %(n)s already has an open reissue request; finish or cancel it first.") % {
            "n": original}) from None
    reissue_event(request, "invoice.reissue.requested", form.proposed_by, {"r": request.reason})
    reissue_event(request, "invoice.reissue.approved", actor)
    queue_completion(request, actor)
    return form


def red_letter_form_answer(*, form, accept, actor=None):
    """Inside the caller's transaction (the form locked): confirm (04) or deny (06) the buyer's form on the
    platform and keep the status it answers."""
    status = gateway.get_gateway().red_letter_form_confirm(form.number, accept)
    form.status = status
    if status == RedLetterFormStatus.CONFIRMED:
        form.confirmed_at = timezone.now()
    form.save(update_fields=["status", "confirmed_at"])
    _event(form, "invoice.redletter.status", actor)
    return form


def buyer_form_deny(*, form_id, actor):
    """The denial job's work: deny the form on the platform unless it no longer waits (it lapsed, or a replay)."""
    with transaction.atomic():
        form = RedLetterForm.objects.select_for_update().select_related("original").get(pk=form_id)
        if form.status != RedLetterFormStatus.BUYER_ENTERED:
            return form
        return red_letter_form_answer(form=form, accept=False, actor=actor)
