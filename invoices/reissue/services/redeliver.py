"""Re-delivery: when the customer only lost the file, send the same invoice again (no reissue). The request is
recorded at once; the email goes out from a task after commit (invoice_redelivery_send), which announces it."""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django_q.tasks import async_task

from core.history import acting_as
from invoices.ledger.models import Invoice, InvoiceEventKind
from invoices.ledger.services.events import invoice_event_record
from invoices.signals import invoice_redelivered


@transaction.atomic
def invoice_redeliver(*, invoice, actor, email=""):
    invoice = Invoice.objects.select_for_update().select_related("buyer").get(pk=invoice.pk)
    email = (email or invoice.buyer.email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": [_("The customer has no valid email address; enter one to re-deliver to.")]})
    if email.lower() != invoice.buyer.email.strip().lower():
        # Only to the address recorded on the customer (whose history audits each change): an invoice is not
        # sent to whoever a caller names.
        raise ValidationError({"email": [_(
            "%(e)s is not the address recorded for %(customer)s; record it on the customer first."
        ) % {"e": email, "customer": invoice.buyer.name}]})
    invoice_event_record(
        invoice=invoice, kind=InvoiceEventKind.REDELIVERED, actor=actor,
        message=_("Invoice re-delivered to %(e)s") % {"e": email}, data={"email": email},
    )
    actor_id = getattr(actor, "pk", None)
    transaction.on_commit(lambda: async_task(
        "invoices.reissue.tasks.send_redelivery", invoice.pk, email, actor_id,
        task_name=f"redeliver-{invoice.pk}", q_options={"max_attempts": 3},
    ))
    return invoice


def invoice_redelivery_send(*, invoice_id, email, actor_id):
    """Send the re-delivery email (in the site's language) and announce it; the incidents app logs it as a
    contact with the customer."""
    invoice = Invoice.objects.select_related("seller").prefetch_related("lines").get(pk=invoice_id)
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("invoices/email/redelivery_subject.txt", {"invoice": invoice}).strip()
        body = render_to_string("invoices/email/redelivery_body.txt", {"invoice": invoice})
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    with acting_as(actor):  # history rows the receivers write name who asked for the re-delivery
        invoice_redelivered.send(sender=Invoice, invoice_id=invoice_id, email=email, actor_id=actor_id)
