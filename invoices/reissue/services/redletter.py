"""Red-letter information confirmation forms (红字发票信息确认单): filling, confirming, lapsing."""
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.event_texts import fact
from core.sequences import take_next_number
from invoices.ledger.models import InvoiceEventKind, NumberSequence
from invoices.ledger.services.events import invoice_event_record
from invoices.reissue.models import RedLetterForm, RedLetterFormStatus, ReissueRequest, ReissueStatus
from invoices.reissue.services.completion import queue_completion
from invoices.reissue.services.events import mark_failed

LAPSE_AFTER = timedelta(hours=72)
FORM_CHANNEL = "9"  # a sequence of its own, apart from invoice numbers


def _next_form_number(seller, now):
    year = timezone.localtime(now).year
    return take_next_number(
        NumberSequence, {"seller": seller, "year": year, "channel": FORM_CHANNEL},
        prefix=f"{year % 100:02d}{seller.region_code}{FORM_CHANNEL}",
        taken=lambda number: RedLetterForm.objects.filter(number=number).exists(),
    )


def red_letter_form_fill(*, request, actor, amount, tax_amount):
    """Fill the form for an approved request (inside the caller's transaction). Without the buyer's use
    confirmation the seller issues directly (01); otherwise the buyer must confirm within 72 hours (02)."""
    now = timezone.now()
    needs_buyer = request.buyer_confirmed_use
    form = RedLetterForm.objects.create(
        number=_next_form_number(request.original.seller, now),
        original=request.original,
        reason=request.reason,
        status=RedLetterFormStatus.SELLER_ENTERED if needs_buyer else RedLetterFormStatus.NO_CONFIRMATION,
        buyer_confirmation_needed=needs_buyer,
        amount=amount,
        tax_amount=tax_amount,
        created_at=now,
        lapses_at=now + LAPSE_AFTER if needs_buyer else None,
    )
    invoice_event_record(
        invoice=request.original, kind=InvoiceEventKind.REISSUE, actor=actor,
        code="invoice.redletter.filled", params={"n": form.number, "s": form.status},
        data={"request_id": request.pk, "form": form.number, "status": form.status},
    )
    return form


@transaction.atomic
def red_letter_form_confirm(*, form_id, actor):
    """Record that the buyer confirmed the form on the platform."""
    form = RedLetterForm.objects.select_for_update().get(pk=form_id)
    if form.status != RedLetterFormStatus.SELLER_ENTERED:
        raise ValidationError({"status": [
            _("Form %(n)s is %(s)s; only a form awaiting the buyer can be confirmed.")
            % {"n": form.number, "s": form.get_status_display()}
        ]})
    if form.lapses_at and form.lapses_at <= timezone.now():
        raise ValidationError({"status": [_("Form %(n)s lapsed at %(t)s.") % {
            "n": form.number, "t": timezone.localtime(form.lapses_at).strftime("%Y-%m-%d %H:%M")}]})
    form.status = RedLetterFormStatus.CONFIRMED
    form.confirmed_at = timezone.now()
    form.save(update_fields=["status", "confirmed_at"])
    invoice_event_record(
        invoice=form.original, kind=InvoiceEventKind.REISSUE, actor=actor,
        code="invoice.redletter.confirmed", params={"n": form.number},
        data={"form": form.number, "status": form.status},
    )
    request = ReissueRequest.objects.filter(red_letter_form=form, status=ReissueStatus.APPROVED).first()
    if request is not None:
        queue_completion(request, actor)  # the chain goes on to the red invoice
    return form


def red_letter_forms_lapse(now=None):
    """Scheduled: forms awaiting confirmation for 72 hours lapse (07); their requests fail so that a retry
    fills a new form. Returns how many lapsed."""

    now = now or timezone.now()
    ids = list(RedLetterForm.objects.filter(
        status__in=[RedLetterFormStatus.SELLER_ENTERED, RedLetterFormStatus.BUYER_ENTERED], lapses_at__lte=now,
    ).values_list("pk", flat=True))
    lapsed = 0
    for form_id in ids:
        with transaction.atomic():
            form = RedLetterForm.objects.select_for_update().get(pk=form_id)
            if form.status not in (RedLetterFormStatus.SELLER_ENTERED, RedLetterFormStatus.BUYER_ENTERED):
                continue
            form.status = RedLetterFormStatus.LAPSED
            form.save(update_fields=["status"])
            invoice_event_record(
                invoice=form.original, kind=InvoiceEventKind.REISSUE,
                code="invoice.redletter.lapsed", params={"n": form.number},
                data={"form": form.number, "status": form.status},
            )
            request = ReissueRequest.objects.select_for_update().filter(red_letter_form=form).first()
            if request is not None and request.is_open:
                mark_failed(request, actor=None, reason=fact("invoice.reissue.form_lapsed"))
            lapsed += 1
    return lapsed
