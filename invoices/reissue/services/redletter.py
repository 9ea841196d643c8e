"""Red-letter information confirmation forms (红字发票信息确认单). The form lives on the tax platform: the platform
numbers it and decides its status (01 straight on, 02 the buyer must confirm within 72 hours). The back office
submits its own (seller-entered) forms, reads their status back, reminds the buyer at 48 hours, withdraws a form
that waits (08), and answers the forms the buyer entered (03, services/buyer_forms.py). RedLetterForm is only its
copy of what the platform answered; no form number here was ever made up by the back office."""
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.event_texts import fact
from invoices.ledger.models import InvoiceEventKind
from invoices.ledger.services.events import invoice_event_record
from invoices.platform import gateway
from invoices.platform.gateway import RedLetterFormDraft
from invoices.reissue.models import (
    VOID_FORM_STATUSES,
    RedLetterForm,
    RedLetterFormStatus,
    ReissueRequest,
    ReissueStatus,
)
from invoices.reissue.services.completion import queue_completion
from invoices.reissue.services.events import mark_failed, reissue_event
from invoices.signals import red_letter_form_waiting

REMIND_AFTER = timedelta(hours=48)


def form_event(form, code, actor=None, **params):
    invoice_event_record(
        invoice=form.original, kind=InvoiceEventKind.REISSUE, actor=actor, code=code,
        params={"n": form.number, "s": form.status, **params},
        data={"form": form.number, "status": form.status},
    )


def red_letter_form_submit(*, request, actor, amount, tax_amount, lines):
    """Inside the step's transaction (the request locked): submit the seller's form under the request's key for
    this round and keep the platform's answer. A replay of the same key (a worker killed after the platform
    answered) gets the same form back, so no second form is ever filed for one round."""
    original = request.original
    answer = gateway.get_gateway().red_letter_form_submit(RedLetterFormDraft(
        idempotency_key=f"reissue-{request.pk}-form-{request.form_round}",
        original_number=original.number, original_code=original.code, seller_tax_id=original.seller.tax_id,
        buyer_tax_id=original.buyer_tax_id, reason=request.reason, amount=amount, tax_amount=tax_amount,
        lines=lines,
    ))
    form, created = RedLetterForm.objects.get_or_create(number=answer.number, defaults=dict(
        original=original, reason=request.reason, status=answer.status, entered_by="seller",
        amount=answer.amount or amount, tax_amount=answer.tax_amount or tax_amount, lines=answer.lines or lines,
        created_at=answer.created_at or timezone.now(), lapses_at=answer.lapses_at, checked_at=timezone.now(),
    ))
    if created:
        form_event(form, "invoice.redletter.filled", actor)
    if form.status == RedLetterFormStatus.SELLER_ENTERED:
        announce_waiting(request, form, reminder=False)
    return form


def announce_waiting(request, form, *, reminder):
    """The buyer must confirm in their 税务数字账户: the incidents app tells them (and reminds the requester)."""
    red_letter_form_waiting.send(
        sender=RedLetterForm, request_id=request.pk, original_id=request.original_id, form_number=form.number,
        lapses_at=form.lapses_at.isoformat() if form.lapses_at else "", requester_id=request.requested_by_id,
        reminder=reminder,
    )


def _lock_request_of(form_id):
    """The form's request, locked before the form: the same order as cancel and the completion steps (request, then
    form), so a status check and a withdrawal of one form never deadlock."""
    return (ReissueRequest.objects.select_for_update(of=("self",)).select_related("original", "original__seller")
            .filter(red_letter_form_id=form_id).first())


@transaction.atomic
def red_letter_form_record(*, form_id, answer, actor=None, now=None):
    """Record a status the platform answered for the form, and what follows from it for its request: 04 → the
    red invoice; a void status → the request stops with the status's meaning (07: lapsed, to be resubmitted);
    still 02 after 48 hours → the buyer is reminded once. Returns the form."""
    now = now or timezone.now()
    request = _lock_request_of(form_id)
    form = RedLetterForm.objects.select_for_update(of=("self",)).select_related("original").get(pk=form_id)
    changed = answer.status != form.status
    if changed:
        form.status = answer.status
        if answer.status == RedLetterFormStatus.CONFIRMED:
            form.confirmed_at = now
        form.checked_at = now
        form.save(update_fields=["status", "confirmed_at", "checked_at"])
        form_event(form, "invoice.redletter.status", actor)
    else:
        RedLetterForm.objects.filter(pk=form.pk).update(checked_at=now)
    if request is None or request.status != ReissueStatus.APPROVED:
        return form
    if form.usable:
        queue_completion(request, actor)  # the chain goes on to the red invoice
    elif form.status == RedLetterFormStatus.LAPSED:
        request.status = ReissueStatus.LAPSED
        request.save(update_fields=["status"])
        reissue_event(request, "invoice.reissue.lapsed", actor, {"f": form.number})
    elif form.status in VOID_FORM_STATUSES:
        mark_failed(request, actor=actor, reason=fact("invoice.reissue.form_void", f=form.number, s=form.status))
    elif (form.status == RedLetterFormStatus.SELLER_ENTERED and form.reminded_at is None
          and form.created_at + REMIND_AFTER <= now):
        form.reminded_at = now
        form.save(update_fields=["reminded_at"])
        form_event(form, "invoice.redletter.reminded", actor)
        announce_waiting(request, form, reminder=True)
    return form


def red_letter_form_check(*, form, actor=None, now=None):
    """Read the form's status from the platform now (the request page's button, the scheduled check). An
    unavailable platform propagates: the caller says so, the schedule retries."""
    answer = gateway.get_gateway().red_letter_form_get(form.number)
    if answer is None:
        raise ValidationError({"red_letter_form": [
            _("The tax platform does not know red-letter form %(n)s.") % {"n": form.number}]})
    return red_letter_form_record(form_id=form.pk, answer=answer, actor=actor, now=now)


def red_letter_forms_check_waiting(now=None):
    """Scheduled: every form that still waits (02, 03) is read back. Returns how many changed status."""
    changed = 0
    for form in RedLetterForm.objects.filter(status__in=("02", "03")).order_by("created_at", "id"):
        before = form.status
        after = red_letter_form_check(form=form, now=now)
        changed += after.status != before
    return changed


@transaction.atomic
def red_letter_form_withdraw(*, request, actor):
    """Withdraw the seller's form while it waits for the buyer (08) and cancel the request. The platform answers
    first; only then does the back office record it."""
    # The form is locked on its own: PostgreSQL refuses FOR UPDATE across the outer join to a nullable relation.
    req = ReissueRequest.objects.select_for_update().select_related("original").get(pk=request.pk)
    form = RedLetterForm.objects.select_for_update().filter(pk=req.red_letter_form_id).first()
    if req.status != ReissueStatus.APPROVED or form is None or form.status != RedLetterFormStatus.SELLER_ENTERED:
        raise ValidationError({"red_letter_form": [
            _("Only a red-letter form waiting for the buyer's confirmation (02) can be withdrawn.")]})
    status = gateway.get_gateway().red_letter_form_cancel(form.number)
    form.status = status
    form.save(update_fields=["status"])
    form_event(form, "invoice.redletter.status", actor)
    req.status = ReissueStatus.CANCELLED
    req.save(update_fields=["status"])
    reissue_event(req, "invoice.reissue.withdrawn", actor, {"f": form.number})
    return req
