"""Jobs of the reissue desk: completing an approved request, re-delivering an invoice, lapsing forms."""
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.event_texts import fact
from core.jobs import job
from core.jobs.models import JobArea
from invoices.reissue.models import ReissueRequest, ReissueStatus
from invoices.reissue.services.events import mark_failed
from invoices.reissue.services.redeliver import invoice_redelivery_send
from invoices.reissue.services.buyer_forms import ANSWER_JOB, buyer_form_deny, buyer_forms_fetch
from invoices.reissue.services.redletter import red_letter_forms_check_waiting
from invoices.reissue.services.reissue import invoice_reissue_complete


def _actor(actor_id):
    return get_user_model().objects.filter(pk=actor_id).first() if actor_id else None


def _request_number(request_id, **_params):
    req = ReissueRequest.objects.select_related("original").filter(pk=request_id).first()
    return _("reissue of invoice %(n)s") % {"n": req.original.number} if req else ""


def _completion_gave_up(*, request_id, actor_id, error):
    req = ReissueRequest.objects.select_for_update().filter(pk=request_id).first()
    if req is not None and req.status == ReissueStatus.APPROVED:
        mark_failed(req, actor=_actor(actor_id), reason=fact("invoice.reissue.platform_unavailable", e=error))


@job("reissue.complete", label=gettext_lazy("complete an approved reissue"), area=JobArea.INVOICES,
     on_give_up=_completion_gave_up, describe=_request_number,
     guarantee="a job row; each step resumes with its idempotency key, never a second red or new invoice")
def complete(*, request_id, actor_id):
    req = invoice_reissue_complete(request_id=request_id, actor=_actor(actor_id))
    return f"{req.status} at {req.step}"


def _redelivery_about(*, invoice_id, email, **_params):
    from invoices.ledger.models import Invoice

    number = Invoice.objects.filter(pk=invoice_id).values_list("number", flat=True).first()
    return _("invoice %(n)s to %(e)s") % {"n": number, "e": email} if number else ""


@job("reissue.redeliver", label=gettext_lazy("re-deliver an invoice by email"), area=JobArea.INVOICES,
     describe=_redelivery_about, guarantee="a job row; the email itself is a communication with its own retries")
def send_redelivery(*, invoice_id, email, actor_id, formats=("pdf",)):
    with transaction.atomic():
        invoice_redelivery_send(invoice_id=invoice_id, email=email, actor_id=actor_id, formats=formats)


@job("reissue.check_forms", label=gettext_lazy("read red-letter forms back from the platform"),
     area=JobArea.INVOICES, guarantee="scheduled every 15 minutes; an unavailable platform is retried")
def check_red_letter_forms():
    changed = red_letter_forms_check_waiting()
    new, unknown = buyer_forms_fetch()
    return f"{changed} changed, {new} new from buyers, {unknown} against invoices not in the ledger"


def _form_number(form_id, **_params):
    from invoices.reissue.models import RedLetterForm

    number = RedLetterForm.objects.filter(pk=form_id).values_list("number", flat=True).first()
    return _("red-letter form %(n)s") % {"n": number} if number else ""


@job(ANSWER_JOB, label=gettext_lazy("deny a buyer's red-letter form on the platform"), area=JobArea.INVOICES,
     describe=_form_number, guarantee="a job row; denying a form that no longer waits does nothing")
def answer_buyer_form(*, form_id, accept, actor_id):
    form = buyer_form_deny(form_id=form_id, actor=_actor(actor_id))
    return form.status
