"""The one mail path. Every outgoing email is a row written before it goes out: a customer's `Communication`
(notices, the appeal's confirmation, survey links, re-delivered invoices) or a `StaffEmail` (follow-up reminders
and escalations, management reports). One job, `incidents.deliver_email`, delivers either through
`email_deliver`, the only code that hands a message to the mail backend (tests/incidents/test_mail_path.py checks).

- One attempt claims the row with a lease (a worker killed mid-send leaves it to lapse), sends outside any
  transaction (SMTP may be slow) and records the outcome on the row: sent, or the error and the attempt count.
- A failed attempt fails the job, so the spine retries it with back-off; the row shows `queued` (or `waiting` for
  an invoice file the platform cannot supply yet) with the error meanwhile.
- After INCIDENTS_EMAIL_MAX_ATTEMPTS, or at once for a message no attempt can mend (a bad address, a header with a
  line break, a recipient the server refuses), the row is `failed` with the error and so is its job: 重试 on the
  job sends it again with fresh attempts, and so does the communication's own "send again".
- A row whose job was lost (queued before this path existed, or the job pruned) is handed to a new job by the
  scheduled tick (`emails_requeue_lost`).

Attachments are read when the email goes out, from what the row names: an invoice's file (fetched from the tax
platform when not stored yet) or a stored report's file. Job parameters hold ids only."""
import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import BadHeaderError, EmailMessage
from django.core.mail.utils import DNS_NAME
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.jobs import Permanent, enqueue_on_commit
from core.jobs.models import ACTIVE_STATUSES, Job
from core.text import has_line_break
from invoices.files.services.fetch import InvoiceFileError, invoice_file_get
from invoices.ledger.models import Invoice

from ..models import Communication, DeliveryStatus, EventKind, Report, StaffEmail
from .timeline import event_record

log = logging.getLogger(__name__)

DELIVER_JOB = "incidents.deliver_email"
# How long one delivery attempt may hold its claim: longer than the task timeout, shorter than the broker's retry
# (settings.LEASE_SECONDS_DEFAULT).
LEASE = timedelta(seconds=75)
PENDING = (DeliveryStatus.QUEUED, DeliveryStatus.WAITING)
REPORT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "pdf": "application/pdf"}


def lease():
    """A delivery attempt's claim; a worker killed mid-send leaves it to lapse, then the retry sends."""
    return timedelta(seconds=getattr(settings, "INCIDENTS_EMAIL_LEASE_SECONDS", LEASE.total_seconds()))


def max_attempts():
    return getattr(settings, "INCIDENTS_EMAIL_MAX_ATTEMPTS", 3)


class NotSent(Exception):
    """This attempt did not send the email; the job is retried with back-off."""


def _communication_recorded(comm, error):
    if comm.incident_id and comm.delivery_status in (DeliveryStatus.SENT, DeliveryStatus.FAILED):
        event_record(incident=comm.incident, kind=EventKind.COMMUNICATION, actor=None,
                     code="incident.email_sent" if comm.delivery_status == DeliveryStatus.SENT
                     else "incident.email_failed", params={"to": comm.contact, "err": str(error or "")},
                     data={"communication_id": comm.pk, "delivery_status": comm.delivery_status,
                           "attempts": comm.delivery_attempts})


def _staff_email_recorded(email, error):
    if email.report_id and email.delivery_status == DeliveryStatus.SENT:
        Report.objects.filter(pk=email.report_id, sent_at__isnull=True).update(sent_at=email.sent_at)


@dataclass(frozen=True)
class MailKind:
    model: type
    recipients: Callable  # row -> [address]
    recorded: Callable  # (row, error) -> None, in the transaction that records the outcome


KINDS = {
    "communication": MailKind(Communication, lambda row: [row.contact], _communication_recorded),
    "staff": MailKind(StaffEmail, lambda row: list(row.recipients or []), _staff_email_recorded),
}


def kind_of(row):
    return next(name for name, spec in KINDS.items() if isinstance(row, spec.model))


def job_key(kind, email_id):
    return f"{kind}-{email_id}"


def enqueue_delivery(row):
    """Hand a recorded email to the delivery job once the caller's transaction commits."""
    kind = kind_of(row)
    return enqueue_on_commit(DELIVER_JOB, key=job_key(kind, row.pk), kind=kind, email_id=row.pk)


def undeliverable_reason(row):
    """Why this email can never go out as it stands (retrying would not help), or ""."""
    recipients = KINDS[kind_of(row)].recipients(row)
    if has_line_break(row.subject) or any(has_line_break(to) for to in recipients):
        return _("The address or subject contains a line break (CR/LF).")
    if not recipients:
        return _("The email has no recipient.")
    for to in recipients:
        try:
            validate_email(to)
        except ValidationError:
            return _("%(to)s is not a valid email address.") % {"to": to}
    return ""


def _claim(model, email_id, now):
    with transaction.atomic():
        row = model.objects.select_for_update().filter(pk=email_id).first()
        if row is None or row.delivery_status not in PENDING:
            return None
        if row.next_attempt_at is not None and row.next_attempt_at > now:
            return None  # another attempt holds the lease
        row.next_attempt_at = now + lease()
        row.save(update_fields=["next_attempt_at"])
        return row


def _message(kind, row):
    # One Message-ID per row: should a worker die after the server accepted the mail but before SENT is
    # committed, the retry's copy carries the same id and mail systems drop the duplicate.
    stem = "communication" if kind == "communication" else "staff-email"
    return EmailMessage(subject=row.subject, body=row.body, from_email=settings.DEFAULT_FROM_EMAIL,
                        to=KINDS[kind].recipients(row), headers={"Message-ID": f"<{stem}-{row.pk}@{DNS_NAME}>"})


def _attach_files(message, row):
    """Each recorded attachment, from the stored copy (or the platform, for an invoice's file); InvoiceFileError
    if one cannot be had."""
    specs = row.attachments or []
    invoices = Invoice.objects.in_bulk({spec["invoice_id"] for spec in specs if "invoice_id" in spec})
    reports = Report.objects.in_bulk({spec["report_id"] for spec in specs if "report_id" in spec})
    for spec in specs:
        if "report_id" in spec:
            report = reports.get(spec["report_id"])
            field = getattr(report, f"{spec['format']}_file", None) if report is not None else None
            if not field:
                raise InvoiceFileError(_("The file %(name)s of the report no longer exists.") % {"name": spec["name"]})
            with field.open("rb") as handle:
                message.attach(spec["name"], handle.read(), REPORT_TYPES[spec["format"]])
            continue
        invoice = invoices.get(spec["invoice_id"])
        if invoice is None:
            raise InvoiceFileError(_("The invoice of attachment %(name)s no longer exists.") % {"name": spec["name"]})
        stored = invoice_file_get(invoice=invoice, fmt=spec["format"])
        with stored.file.open("rb") as handle:
            message.attach(spec["name"], handle.read(), stored.content_type)


def email_deliver(kind, email_id, *, now=None):
    """One delivery attempt of a recorded email; returns its delivery status afterwards. The only place that
    sends mail."""
    spec = KINDS[kind]
    now = now or timezone.now()
    row = _claim(spec.model, email_id, now)
    if row is None:
        return spec.model.objects.values_list("delivery_status", flat=True).get(pk=email_id)
    error = undeliverable_reason(row)
    permanent, waiting = bool(error), False
    try:
        if permanent:
            raise BadHeaderError(error)
        message = _message(kind, row)
        _attach_files(message, row)
        message.send(fail_silently=False)
    except InvoiceFileError as exc:  # never sent without its file: wait for the platform
        error, waiting = str(exc), True
        log.info("%s email %s waits for its attachment: %s", kind, email_id, error)
    except (BadHeaderError, smtplib.SMTPRecipientsRefused) as exc:
        # The message or its recipient is refused as such: no later attempt can do better.
        permanent, error = True, error or f"{type(exc).__name__}: {exc}"
        log.warning("%s email %s can never be sent: %s", kind, email_id, error)
    except Exception as exc:  # any backend failure (SMTP, DNS, TLS) counts as one failed attempt
        error = f"{type(exc).__name__}: {exc}"
        log.warning("%s email %s failed: %s", kind, email_id, error)
    with transaction.atomic():
        row = spec.model.objects.select_for_update().get(pk=email_id)
        row.delivery_attempts += 1
        row.next_attempt_at = None
        if not error:
            row.delivery_status, row.sent_at, row.delivery_error = DeliveryStatus.SENT, timezone.now(), ""
        elif permanent or row.delivery_attempts >= max_attempts():
            row.delivery_status, row.delivery_error = DeliveryStatus.FAILED, error
        else:
            row.delivery_error = error
            row.delivery_status = DeliveryStatus.WAITING if waiting else DeliveryStatus.QUEUED
        row.save(update_fields=["delivery_attempts", "delivery_status", "sent_at", "next_attempt_at",
                                "delivery_error"])
        spec.recorded(row, error)
    return row.delivery_status


def _reopen_failed(model, email_id):
    """A failed email's job runs again only when a person pressed 重试 on it: fresh attempts for the row too."""
    model.objects.filter(pk=email_id, delivery_status=DeliveryStatus.FAILED).update(
        delivery_status=DeliveryStatus.QUEUED, delivery_attempts=0, next_attempt_at=None)


def email_deliver_job(*, kind, email_id):
    """The delivery job's body: one attempt; a job that did not send fails (retried, or failed for good)."""
    if kind not in KINDS:
        raise Permanent(f"unknown email kind {kind!r}")
    model = KINDS[kind].model
    _reopen_failed(model, email_id)
    status = email_deliver(kind, email_id)
    if status in (DeliveryStatus.SENT, DeliveryStatus.LOGGED):
        return status
    row = model.objects.get(pk=email_id)
    if status == DeliveryStatus.FAILED:
        raise Permanent(row.delivery_error)
    if row.next_attempt_at is not None and row.next_attempt_at > timezone.now():
        raise NotSent(_("Another attempt holds this email until %(t)s.") % {
            "t": timezone.localtime(row.next_attempt_at).strftime("%H:%M:%S")})
    raise NotSent(row.delivery_error)


def email_gave_up(*, kind, email_id, error):
    """The job gave up before the row's own attempt limit (JOBS_MAX_ATTEMPTS is the lower): the row shows it."""
    spec = KINDS.get(kind)
    if spec is None:
        return
    row = spec.model.objects.select_for_update().filter(pk=email_id, delivery_status__in=PENDING).first()
    if row is not None:
        row.delivery_status, row.delivery_error, row.next_attempt_at = DeliveryStatus.FAILED, error, None
        row.save(update_fields=["delivery_status", "delivery_error", "next_attempt_at"])
        spec.recorded(row, error)


def email_describe(*, kind, email_id):
    spec = KINDS[kind]
    row = spec.model.objects.filter(pk=email_id).first()
    if row is None:
        return _("email #%(id)s (deleted)") % {"id": email_id}
    return _("email to %(to)s: %(subject)s") % {"to": ", ".join(spec.recipients(row)), "subject": row.subject}


def emails_requeue_lost(*, now=None, limit=200):
    """Hand a pending email that no job is queued or running for (a task lost before this path, a pruned job) to
    a new delivery job. Returns how many were handed over."""
    now = now or timezone.now()
    handed = 0
    for kind, spec in KINDS.items():
        due = spec.model.objects.filter(delivery_status__in=PENDING, created_at__lte=now - lease()).filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        rows = list(due.order_by("id")[:limit])
        active = set(Job.objects.filter(name=DELIVER_JOB, status__in=ACTIVE_STATUSES,
                                        key__in=[job_key(kind, row.pk) for row in rows]).values_list("key", flat=True))
        for row in rows:
            if job_key(kind, row.pk) not in active:
                enqueue_delivery(row)
                handed += 1
    return handed


@transaction.atomic
def staff_email_send(*, purpose, subject, body, recipients, incident=None, followup=None, report=None,
                     attachments=(), key=None):
    """Record an email to staff and hand it to the delivery job after commit. No recipient: nothing to record.
    With a `key`, an email already recorded under it is returned instead of a second one."""
    recipients = list(dict.fromkeys(address.strip() for address in recipients if address and address.strip()))
    if not recipients:
        return None
    if key is not None:
        existing = StaffEmail.objects.filter(key=key).first()
        if existing is not None:
            return existing
    email = StaffEmail.objects.create(purpose=purpose, subject=subject, body=body, recipients=recipients,
                                      incident=incident, followup=followup, report=report,
                                      attachments=list(attachments), key=key)
    enqueue_delivery(email)
    return email
