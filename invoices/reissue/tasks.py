"""Background work of the reissue desk. Tasks take ids and are safe to run again."""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from core.history import acting_as
from invoices.ledger.models import Invoice
from invoices.signals import invoice_redelivered


def send_redelivery(invoice_id, email, actor_id):
    invoice = Invoice.objects.select_related("seller").prefetch_related("lines").get(pk=invoice_id)
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("invoices/email/redelivery_subject.txt", {"invoice": invoice}).strip()
        body = render_to_string("invoices/email/redelivery_body.txt", {"invoice": invoice})
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    with acting_as(actor):  # history rows the receivers write name who asked for the re-delivery
        invoice_redelivered.send(sender=Invoice, invoice_id=invoice_id, email=email, actor_id=actor_id)


def lapse_red_letter_forms():
    from invoices.reissue.services.redletter import red_letter_forms_lapse

    return red_letter_forms_lapse()
