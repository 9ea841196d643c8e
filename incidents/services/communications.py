"""Customer communications: logging a contact, sending a templated email (recorded here, delivered by the one mail
path in mail.py: a job with a lease, attempts and 重试), and putting a failed one back in the queue."""
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import not_before_2000_error
from core.text import has_line_break, model_length_errors
from invoices.files.models import FileFormat
from invoices.files.paper import has_e_files, paper_original_message

from ..access import can_work_incident, ensure_can_see_incident
from ..models import (
    Channel,
    Communication,
    CommunicationDirection,
    DeliveryStatus,
    EventKind,
)
from ..rendering import render_subject, render_text
from .followups import followup_create
from .incidents import lock_incident, mark_first_response
from .mail import enqueue_delivery
from .timeline import event_record
from .work import ensure_not_closed, start_work_if_new

def _check_perm(actor, incident=None):
    if actor is not None and not actor.has_perm("incidents.add_communication"):
        raise PermissionDenied(_("You may not log communications."))
    if actor is not None and incident is not None:
        ensure_can_see_incident(actor, incident)


def _text_errors(*, contact, subject, email):
    """Lengths of the stored values (the columns'), and for an email single-line header values."""
    errors = model_length_errors(Communication, {"contact": contact, "subject": subject})
    if email:
        for field, value in (("contact", contact), ("subject", subject)):
            if field not in errors and has_line_break(value):
                errors[field] = _("An email's %(field)s must be one line (no CR or LF).") % {
                    "field": Communication._meta.get_field(field).verbose_name}
    return errors


def recorded_addresses(customer):
    """The addresses a rep may write to: those recorded on the customer (its history audits each change)."""
    return {customer.email.strip().lower()} if customer.email.strip() else set()


def _after_logged(comm, actor):
    """Timeline event, incident times and a promised callback's follow-up."""
    if comm.incident_id:
        incident = lock_incident(comm.incident_id)
        if actor is not None:
            ensure_not_closed(incident)
            if can_work_incident(actor, incident):
                start_work_if_new(incident, actor, at=comm.occurred_at)
        fields = []
        if comm.direction == CommunicationDirection.OUTBOUND:
            fields += mark_first_response(incident, comm.occurred_at)
            if incident.customer_informed_at is None:
                incident.customer_informed_at = comm.occurred_at
                fields.append("customer_informed_at")
        if fields:
            incident.save(update_fields=fields)
        event_record(incident=incident, kind=EventKind.COMMUNICATION, actor=actor, at=comm.occurred_at,
                     code="incident.communication", params={
                         "channel": comm.channel, "direction": comm.direction, "customer": comm.customer.name,
                         "subject": comm.subject},
                     data={"communication_id": comm.pk, "delivery_status": comm.delivery_status})
    if comm.callback_at is not None:
        followup_create(
            actor=actor, assignee=actor, due_at=comm.callback_at, incident=comm.incident, customer=comm.customer,
            title=_("Call back %(customer)s as promised") % {"customer": comm.customer.name},
            notes=comm.body, communication=comm,
        )


@transaction.atomic
def communication_log(*, actor, customer, channel, direction, incident=None, invoice=None, occurred_at=None,
                      contact="", subject="", body="", template=None, callback_at=None):
    """Record a contact that already happened (a call, a WeChat message, a letter)."""
    _check_perm(actor, incident)
    errors = {}
    if channel not in Channel.values:
        errors["channel"] = _("'%(v)s' is not a valid choice.") % {"v": channel}
    if direction not in CommunicationDirection.values:
        errors["direction"] = _("'%(v)s' is not a valid choice.") % {"v": direction}
    occurred_at = occurred_at or timezone.now()
    if occurred_at > timezone.now() + timedelta(minutes=5):
        errors["occurred_at"] = _("A contact cannot be logged in the future.")
    elif not_before_2000_error(occurred_at):
        errors["occurred_at"] = not_before_2000_error(occurred_at)
    if callback_at is not None and callback_at <= occurred_at:
        errors["callback_at"] = _("The promised callback must be after the contact.")
    contact, subject = (contact or "").strip(), (subject or "").strip()
    errors.update(_text_errors(contact=contact, subject=subject, email=channel == Channel.EMAIL))
    if errors:
        raise ValidationError(errors)
    comm = Communication.objects.create(
        customer=customer, incident=incident, invoice=invoice, channel=channel, direction=direction,
        occurred_at=occurred_at, contact=contact or "", subject=subject or "", body=body or "", template=template,
        callback_at=callback_at, created_by=actor, delivery_status=DeliveryStatus.LOGGED,
    )
    _after_logged(comm, actor)
    return comm


def template_context(*, customer, incident=None, invoice=None, actor=None, extra=None):
    invoices = ""
    if invoice is not None:
        invoices = str(invoice)
    elif incident is not None:
        # The invoices the customer complained about: not the red and new invoices a reissue added to the case.
        invoices = "、".join(str(i) for i in incident.invoices.filter(buyer=customer, direction="blue")
                            .exclude(reissued_from__isnull=False).order_by("id")[:20])
    return {
        "customer_name": customer.name,
        "contact_name": customer.contact_name or customer.name,
        "invoice_number": invoices,
        "new_invoice_number": "",
        "incident_reference": incident.reference if incident else "",
        "incident_title": incident.title if incident else "",
        "rep_name": (actor.get_full_name() or actor.get_username()) if actor else "",
        "today": timezone.localdate().isoformat(),
        **(extra or {}),
    }


def attachment_specs(invoice, formats):
    """What the communication records for each file: the invoice, the format and the name the customer sees."""
    specs = []
    for fmt in formats or ():
        if fmt not in FileFormat.values:
            raise ValidationError({"attachments": [_("'%(v)s' is not a file format.") % {"v": fmt}]})
        if invoice is None:
            raise ValidationError({"attachments": [_("Files can only be attached for an invoice.")]})
        if not has_e_files(invoice):
            raise ValidationError({"attachments": [paper_original_message(invoice)]})
        specs.append({"invoice_id": invoice.pk, "format": fmt, "name": f"{invoice.number}.{fmt}"})
    return specs


@transaction.atomic
def communication_send_email(*, actor, customer, template=None, subject="", body="", incident=None, invoice=None,
                             extra_context=None, to=None, attachments=(), link_url="", purpose=""):
    """Render a template (or take subject/body as typed), record the outbound email as queued and hand it
    to the background worker after commit. `attachments` are formats of the invoice's files (pdf, ofd, xml);
    `link_url`, the customer's download link, is added to the body unless the body has it already."""
    _check_perm(actor, incident)
    if template is not None:
        context = template_context(customer=customer, incident=incident, invoice=invoice, actor=actor,
                                   extra=extra_context)
        subject, body = render_subject(template.subject, context), render_text(template.body, context)
    to = (to or customer.email or "").strip()
    subject = (subject or "").strip()
    errors = _text_errors(contact=to, subject=subject, email=True)
    if not to:
        errors["customer"] = _("The customer has no email address.")
    elif "contact" not in errors:
        try:
            validate_email(to)
        except ValidationError:
            errors["contact"] = _("%(to)s is not a valid email address.") % {"to": to}
        else:
            if to.lower() not in recorded_addresses(customer):
                errors["contact"] = _(
                    "%(to)s is not an address recorded for %(customer)s; record it on the customer first."
                ) % {"to": to, "customer": customer.name}
    if not subject and "subject" not in errors:
        errors["subject"] = _("An email needs a subject.")
    if errors:
        raise ValidationError(errors)
    specs = attachment_specs(invoice, attachments)
    if link_url and link_url not in body:
        label = _("Download the invoice file (no login needed):")
        body = f"{body.rstrip()}\n\n{label}\n{link_url}\n"
    comm = Communication.objects.create(
        customer=customer, incident=incident, invoice=invoice, channel=Channel.EMAIL,
        direction=CommunicationDirection.OUTBOUND, contact=to, subject=subject, body=body, template=template,
        created_by=actor, delivery_status=DeliveryStatus.QUEUED, attachments=specs, purpose=purpose,
    )
    _after_logged(comm, actor)
    enqueue_delivery(comm)
    return comm


@transaction.atomic
def communication_retry(*, communication, actor):
    """Put a failed email back in the queue (from the admin, after fixing the address or the server)."""
    _check_perm(actor)
    comm = Communication.objects.select_for_update().get(pk=communication.pk)
    if comm.delivery_status != DeliveryStatus.FAILED:
        raise ValidationError({"delivery_status": _("Only a failed email can be sent again.")})
    comm.delivery_status, comm.delivery_attempts, comm.next_attempt_at = DeliveryStatus.QUEUED, 0, None
    comm.save(update_fields=["delivery_status", "delivery_attempts", "next_attempt_at"])
    enqueue_delivery(comm)
    return comm
