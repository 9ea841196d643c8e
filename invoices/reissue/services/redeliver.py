"""Re-delivery: when the customer only lost the file, send the same invoice again (no reissue)."""
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from invoices.ledger.models import Invoice, InvoiceEventKind
from invoices.ledger.services.events import invoice_event_record


@transaction.atomic
def invoice_redeliver(*, invoice, actor, email=""):
    from django_q.tasks import async_task

    invoice = Invoice.objects.select_for_update().select_related("buyer").get(pk=invoice.pk)
    email = (email or invoice.buyer.email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": [_("The customer has no valid email address; enter one to re-deliver to.")]})
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
