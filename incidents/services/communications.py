"""Customer communications: logging a contact, sending a templated email, and delivering it.

Email goes out after commit through a django-q2 task that calls `communication_deliver`. A failed attempt
stays `queued` with a back-off `next_attempt_at`; the scheduled job (`communications_retry_due`) tries again
until INCIDENTS_EMAIL_MAX_ATTEMPTS, then the communication shows `failed` with the last error. A task lost by
the broker is picked up by the same job once its lease has passed, so no message is silently lost.

An email with invoice files attached fetches them when it goes out; while the tax platform cannot supply one, the
email is not sent without it: it shows `waiting` and is retried on the same back-off and attempt limit."""
import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import BadHeaderError, EmailMessage
from django.core.mail.utils import DNS_NAME
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import not_before_2000_error
from core.jobs import dispatch_on_commit
from core.text import has_line_break, model_length_errors
from invoices.files.models import FileFormat
from invoices.files.services.fetch import InvoiceFileError, invoice_file_get
from invoices.ledger.models import Invoice

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
from .timeline import event_record
from .work import ensure_not_closed, start_work_if_new

log = logging.getLogger(__name__)
# How long one delivery attempt may hold its claim before the retry job may take the message again: longer than
# the task timeout, shorter than the broker's retry (settings.LEASE_SECONDS_DEFAULT).
LEASE = timedelta(seconds=75)


def lease():
    """A delivery attempt's claim; a worker killed mid-send leaves it to lapse, then the retry sends."""
    return timedelta(seconds=getattr(settings, "INCIDENTS_EMAIL_LEASE_SECONDS", LEASE.total_seconds()))
BACKOFF = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1)]


def max_attempts():
    return getattr(settings, "INCIDENTS_EMAIL_MAX_ATTEMPTS", 3)


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


def undeliverable_reason(comm):
    """Why this email can never go out as it stands (retrying would not help), or ""."""
    if has_line_break(comm.contact) or has_line_break(comm.subject):
        return _("The address or subject contains a line break (CR/LF).")
    try:
        validate_email(comm.contact)
    except ValidationError:
        return _("%(to)s is not a valid email address.") % {"to": comm.contact}
    return ""


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
        invoices = ", ".join(str(i) for i in incident.invoices.filter(buyer=customer).order_by("id")[:20])
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
        specs.append({"invoice_id": invoice.pk, "format": fmt, "name": f"{invoice.number}.{fmt}"})
    return specs


@transaction.atomic
def communication_send_email(*, actor, customer, template=None, subject="", body="", incident=None, invoice=None,
                             extra_context=None, to=None, attachments=(), link_url=""):
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
        created_by=actor, delivery_status=DeliveryStatus.QUEUED, attachments=specs,
    )
    _after_logged(comm, actor)
    enqueue_delivery(comm.pk)
    return comm


def enqueue_delivery(communication_id):
    dispatch_on_commit("incidents.deliver_communication", communication_id=communication_id)


def _claim(communication_id, now):
    with transaction.atomic():
        comm = Communication.objects.select_for_update().get(pk=communication_id)
        if comm.delivery_status not in (DeliveryStatus.QUEUED, DeliveryStatus.WAITING):
            return None
        if comm.next_attempt_at is not None and comm.next_attempt_at > now:
            return None
        comm.next_attempt_at = now + lease()
        comm.save(update_fields=["next_attempt_at"])
        return comm


def communication_deliver(communication_id, *, now=None):
    """One delivery attempt. Sending happens outside any transaction (SMTP may be slow); the claim above
    keeps a second worker away meanwhile. Returns the delivery status afterwards."""
    now = now or timezone.now()
    comm = _claim(communication_id, now)
    if comm is None:
        return Communication.objects.values_list("delivery_status", flat=True).get(pk=communication_id)
    error = undeliverable_reason(comm)
    permanent, waiting = bool(error), False
    # One Message-ID per communication: should a worker die after the server accepted the mail but before
    # SENT is committed, the retry's copy carries the same id and mail systems drop the duplicate.
    message = EmailMessage(subject=comm.subject, body=comm.body, from_email=settings.DEFAULT_FROM_EMAIL,
                           to=[comm.contact], headers={"Message-ID": f"<communication-{comm.pk}@{DNS_NAME}>"})
    try:
        if permanent:
            raise BadHeaderError(error)
        _attach_files(message, comm)
        message.send(fail_silently=False)
    except InvoiceFileError as exc:  # never sent without its file: wait for the platform
        error, waiting = str(exc)[:2000], True
        log.info("email for communication %s waits for its attachment: %s", communication_id, error)
    except (BadHeaderError, smtplib.SMTPRecipientsRefused) as exc:
        # The message or its recipient is refused as such: no later attempt can do better.
        permanent, error = True, error or f"{type(exc).__name__}: {exc}"[:2000]
        log.warning("email for communication %s can never be sent: %s", communication_id, error)
    except Exception as exc:  # any backend failure (SMTP, DNS, TLS) counts as one failed attempt
        error = f"{type(exc).__name__}: {exc}"[:2000]
        log.warning("email for communication %s failed: %s", communication_id, error)
    with transaction.atomic():
        comm = Communication.objects.select_for_update().get(pk=communication_id)
        comm.delivery_attempts += 1
        if not error:
            comm.delivery_status, comm.sent_at, comm.next_attempt_at, comm.delivery_error = (
                DeliveryStatus.SENT, timezone.now(), None, "")
        elif permanent or comm.delivery_attempts >= max_attempts():
            comm.delivery_status, comm.next_attempt_at, comm.delivery_error = DeliveryStatus.FAILED, None, error
        else:
            backoff = BACKOFF[min(comm.delivery_attempts - 1, len(BACKOFF) - 1)]
            comm.next_attempt_at, comm.delivery_error = now + backoff, error
            comm.delivery_status = DeliveryStatus.WAITING if waiting else DeliveryStatus.QUEUED
        comm.save(update_fields=["delivery_attempts", "delivery_status", "sent_at", "next_attempt_at",
                                 "delivery_error"])
        if comm.incident_id and comm.delivery_status in (DeliveryStatus.SENT, DeliveryStatus.FAILED):
            event_record(incident=comm.incident, kind=EventKind.COMMUNICATION, actor=None,
                         code="incident.email_sent" if comm.delivery_status == DeliveryStatus.SENT
                         else "incident.email_failed", params={"to": comm.contact, "err": str(error or "")},
                         data={"communication_id": comm.pk, "delivery_status": comm.delivery_status,
                               "attempts": comm.delivery_attempts})
    return comm.delivery_status


def _attach_files(message, comm):
    """Each recorded attachment, from the stored copy or the platform; InvoiceFileError if one cannot be had."""
    specs = comm.attachments or []
    invoices = Invoice.objects.in_bulk({spec["invoice_id"] for spec in specs})
    for spec in specs:
        invoice = invoices.get(spec["invoice_id"])
        if invoice is None:
            raise InvoiceFileError(_("The invoice of attachment %(name)s no longer exists.") % {"name": spec["name"]})
        stored = invoice_file_get(invoice=invoice, fmt=spec["format"])
        with stored.file.open("rb") as handle:
            message.attach(spec["name"], handle.read(), stored.content_type)


def communications_retry_due(*, now=None):
    """Retry queued emails whose back-off (or lost task's lease) has passed. Returns how many were tried."""
    now = now or timezone.now()
    due = Communication.objects.filter(delivery_status__in=[DeliveryStatus.QUEUED, DeliveryStatus.WAITING]).filter(
        Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, created_at__lte=now - lease())
    )
    ids = list(due.order_by("id").values_list("pk", flat=True)[:200])
    for pk in ids:
        communication_deliver(pk, now=now)
    return len(ids)


@transaction.atomic
def communication_retry(*, communication, actor):
    """Put a failed email back in the queue (from the admin, after fixing the address or the server)."""
    _check_perm(actor)
    comm = Communication.objects.select_for_update().get(pk=communication.pk)
    if comm.delivery_status != DeliveryStatus.FAILED:
        raise ValidationError({"delivery_status": _("Only a failed email can be sent again.")})
    comm.delivery_status, comm.delivery_attempts, comm.next_attempt_at = DeliveryStatus.QUEUED, 0, None
    comm.save(update_fields=["delivery_status", "delivery_attempts", "next_attempt_at"])
    enqueue_delivery(comm.pk)
    return comm
