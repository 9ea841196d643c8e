"""What the incident desk does with a fact the invoices app announces (invoices/signals.py). Each function
takes the fact as plain values (ids, reason, time…); incidents/receivers.py calls exactly one of them per signal.

Grouping rules, so a storm of signals yields a handful of incidents:
- platform_unavailable: ONE open platform_outage incident per outage. The outage ends when
  platform_recovered records platform_recovered_at on it; the next unavailability opens a new incident.
- invoice_sync_failed: one open sync_failure incident per issuing entity (seller) per business day
  (Asia/Shanghai date). Failures cluster by seller (its platform account and region); bounding by day keeps
  an incident that staff are already working from swallowing unrelated failures days later. A refusal for the
  seller's used-up credit limit (CREDIT_EXCEEDED) goes to the seller's credit_exceeded incident of the day instead:
  its cure is the tax bureau raising the limit, not a look at the data.
- platform_credit_low: the credit check found a seller's credit running low; finance gets one email per low spell.
- invoice_verify_failed: joins the customer's open invoice_missing incident (a rep's or an automatic one),
  otherwise opens one keyed by customer — unless a person checked (see below).
- invoice_reissued: a timeline event, and the red and new invoices attached, on every incident that
  holds the original invoice; the reissue notice goes to the customer, logged on their open complaint.
- invoice_redelivered: the ledger already sent the mail; it is recorded as a contact with the customer."""
import logging
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.admin.written import money
from invoices.files.links import invoice_file_absolute_url
from invoices.ledger.models import Invoice, Seller
from invoices.platform.gateway import CREDIT_EXCEEDED
from invoices.platform.models import percent_left

from ..models import (
    OPEN_STATUSES,
    CommunicationTemplate,
    EventKind,
    Incident,
    IncidentCategory,
    IncidentEvent,
    IncidentKind,
    Severity,
    StaffEmailPurpose,
    TemplatePurpose,
)
from . import reissue_notice
from ..selectors import customer_complaint
from .communications import communication_send_email
from .incidents import incident_attach_invoices, incident_update, open_incident_for_source
from .mail import staff_email_send
from .timeline import event_record

log = logging.getLogger(__name__)
OUTAGE_KEY = "platform_outage"


def _user(actor_id):
    return get_user_model().objects.filter(pk=actor_id).first() if actor_id else None


@transaction.atomic
def platform_unavailable_record(*, invoice_ids, error, at):
    """The open outage incident (or a new one), with these invoices attached and the error on its timeline."""
    incident, _created = open_incident_for_source(
        source_key=OUTAGE_KEY, title=_("Tax platform unavailable"), category=IncidentCategory.PLATFORM_OUTAGE,
        kind=IncidentKind.FAULT, severity=Severity.SEV2, description=str(error), fault_started_at=at,
        detected_at=min(at, timezone.now()),
    )
    incident_attach_invoices(
        incident=incident, invoice_ids=list(invoice_ids or []), kind=EventKind.SYNC,
        code="incident.platform_unavailable", params={"error": str(error), "n": len(invoice_ids or [])},
        data={"error": str(error), "at": at.isoformat()},
    )
    return incident


@transaction.atomic
def platform_recovered_record(*, at):
    """End the current outage: its incident gets platform_recovered_at, so the next outage opens a new one."""
    incident = (Incident.objects.filter(source_key=OUTAGE_KEY, status__in=OPEN_STATUSES,
                                        platform_recovered_at__isnull=True).first())
    if incident is None:
        return None
    incident = incident_update(incident=incident, actor=None, platform_recovered_at=at)
    event_record(incident=incident, kind=EventKind.SYNC, code="incident.platform_recovered",
                 data={"at": at.isoformat()})
    return incident


def invoice_sync_failed_record(*, invoice_ids, reason, code):
    """File the failed invoices under their seller's incident of today: sync_failure, or credit_exceeded when the
    platform refused them for the seller's used-up credit limit; returns those incidents."""
    by_seller = defaultdict(list)
    for pk, seller_id in Invoice.objects.filter(pk__in=invoice_ids).values_list("pk", "seller_id"):
        by_seller[seller_id].append(pk)
    day = timezone.localdate()
    credit = code == CREDIT_EXCEEDED
    result = []
    for seller_id, ids in sorted(by_seller.items()):
        # One seller's incident is opened with its invoices or not at all; a failure leaves the others filed.
        with transaction.atomic():
            seller = Seller.objects.get(pk=seller_id)
            names = {"seller": seller.name, "day": day.isoformat()}
            if credit:
                # Every invoice of the seller is refused until the tax bureau raises the limit: a major fault.
                incident, _created = open_incident_for_source(
                    source_key=f"credit_exceeded:{seller_id}:{day.isoformat()}",
                    title=_("Credit limit used up for %(seller)s on %(day)s") % names,
                    category=IncidentCategory.CREDIT_EXCEEDED, kind=IncidentKind.FAULT, severity=Severity.SEV2,
                    seller=seller,
                )
            else:
                incident, _created = open_incident_for_source(
                    source_key=f"sync_failure:{seller_id}:{day.isoformat()}",
                    title=_("Sync failures for %(seller)s on %(day)s") % names,
                    category=IncidentCategory.SYNC_FAILURE, kind=IncidentKind.FAULT, severity=Severity.SEV3,
                    seller=seller,
                )
            incident_attach_invoices(
                incident=incident, invoice_ids=ids, kind=EventKind.SYNC,
                code="incident.sync_failed", params={"n": len(ids), "reason": reason, "code": str(code)},
                data={"reason": reason, "code": str(code)},
            )
        result.append(incident)
    return result


def finance_users():
    """Who hears of a seller's credit running low: active users who re-sync invoices (the 财务 group), with an email."""
    perm = Permission.objects.get(content_type__app_label="invoices", codename="sync_invoice")
    return (get_user_model().objects.filter(Q(groups__permissions=perm) | Q(user_permissions=perm), is_active=True)
            .exclude(email="").distinct().order_by("username"))


@transaction.atomic
def platform_credit_low_record(*, seller_id, total, used, remaining, checked_at):
    """Email finance that the seller's credit limit is running low, once for this reading (the job may run twice).
    Returns the StaffEmail, or None when no finance user has an email address."""
    seller = Seller.objects.get(pk=seller_id)
    at = timezone.localtime(checked_at)
    with translation.override(settings.LANGUAGE_CODE):
        figures = {"seller": seller.name, "remaining": money(remaining), "total": money(total), "used": money(used),
                   "percent": percent_left(total=total, remaining=remaining), "at": at.strftime("%Y-%m-%d %H:%M")}
        subject = _("Credit limit running low: %(seller)s, %(remaining)s left") % figures
        body = _("The credit limit of %(seller)s on the tax platform is running low: %(remaining)s left of "
                 "%(total)s (%(percent)s%%), %(used)s used this month, as checked at %(at)s.\n\n"
                 "Ask the tax bureau to raise the limit now. Once it is used up, the platform refuses every new "
                 "invoice and upload of this seller until the limit is raised.\n\n"
                 "Every seller's credit is listed on the back office's home page.") % figures
    return staff_email_send(purpose=StaffEmailPurpose.CREDIT_LOW, subject=subject, body=body,
                            recipients=[user.email for user in finance_users()],
                            key=f"credit_low:{seller_id}:{at.isoformat()}")


@transaction.atomic
def invoice_verify_failed_record(*, invoice_id, outcome, detail, actor_id=None):
    """Attach the invoice to the customer's open invoice_missing incident, or to a new one keyed by customer;
    none when a person verified and the customer has no such incident yet."""
    invoice = Invoice.objects.select_related("buyer").get(pk=invoice_id)
    # The one the invoice page's next step leads the person who verified to (one problem, one incident).
    incident = customer_complaint(invoice.buyer_id, _user(actor_id))
    if incident is None and actor_id is not None and (detail or {}).get("source") != "reconciliation":
        # A person checked while talking to the customer: they open the incident themselves, from the
        # invoice page, with the complaint's own title; a second, automatic one would only be a duplicate.
        return None
    if incident is None:
        incident, _created = open_incident_for_source(
            source_key=f"invoice_missing:{invoice.buyer_id}",
            title=_("Invoices of %(customer)s not found on the platform") % {"customer": invoice.buyer.name},
            category=IncidentCategory.INVOICE_MISSING, kind=IncidentKind.FAULT, severity=Severity.SEV3,
            customer=invoice.buyer,
        )
    code = "incident.platform_missing" if outcome == "missing" else "incident.platform_differs"
    incident_attach_invoices(incident=incident, invoice_ids=[invoice.pk], kind=EventKind.SYNC, code=code,
                             params={"n": str(invoice)},
                             data={"outcome": outcome, "detail": detail})
    return incident


def invoice_reissued_record(*, request_id, original_id, red_id, new_id, actor_id):
    """A reissue event (red and new invoices attached) on every incident holding the original, then the
    reissue notice to the customer; returns the incidents touched."""
    actor = _user(actor_id)
    numbers = dict(Invoice.objects.filter(pk__in=[original_id, red_id, new_id]).values_list("pk", "number"))
    touched = []
    # One transaction for the events and the notice, and nothing again for a request already recorded: the job
    # that runs this may run twice (a lease that lapsed under a slow attempt).
    with transaction.atomic():
        if IncidentEvent.objects.filter(kind=EventKind.REISSUE, data__request_id=request_id).exists():
            return []
        for incident in Incident.objects.filter(invoices=original_id).order_by("id"):
            incident_attach_invoices(
                incident=incident, invoice_ids=[i for i in (red_id, new_id) if i], actor=actor,
                kind=EventKind.REISSUE,
                code="incident.reissued", params={
                    "orig": numbers.get(original_id, ""), "red": numbers.get(red_id, ""),
                    "new": numbers.get(new_id, "")},
                data={"request_id": request_id, "original_id": original_id, "red_id": red_id, "new_id": new_id},
            )
            touched.append(incident)
        # Each buyer concerned is told, on their own open complaint (not an outage incident that also holds it).
        request = reissue_notice.load_request(request_id)
        if request is None:
            log.warning("reissue notice: request %s not found", request_id)
            return touched
        for customer, role in reissue_notice.recipients(request):
            complaints = [i for i in touched if i.customer_id == customer.pk and i.status in OPEN_STATUSES]
            _reissue_notice_send(request=request, customer=customer, role=role,
                                 incident=max(complaints, key=lambda i: i.pk) if complaints else None)
    return touched


def _reissue_notice_send(*, request, customer, role, incident):
    """Tell one buyer what the completed request changed, by the reissue-notice template (the one in the site's
    language, else the first active one) filled with the request's facts (incidents/services/reissue_notice.py);
    logged and delivered (and retried) like any other email. When there is no template or no address, the
    incident's timeline says why nothing was sent."""
    templates = CommunicationTemplate.objects.filter(purpose=TemplatePurpose.REISSUE_NOTICE, active=True)
    template = (templates.filter(language=settings.LANGUAGE_CODE).order_by("id").first()
                or templates.order_by("id").first())
    if template is None or not customer.email:
        reason = "no_template" if template is None else "no_email"
        if incident is not None:
            event_record(incident=incident, kind=EventKind.NOTE, actor=None,
                         code="incident.reissue_notice_not_sent", params={"r": reason})
        log.warning("reissue notice for request %s not sent: %s", request.pk, reason)
        return None
    language = template.language
    attached = reissue_notice.attached_invoice(request, role)
    new = request.new_invoice if attached == request.new_invoice else None
    return communication_send_email(
        actor=None, customer=customer, template=template, incident=incident, invoice=attached,
        extra_context={
            "invoice_number": request.original.number if role == "original" else request.new_invoice.number,
            "new_invoice_number": new.number if new is not None else "",
            "reissue_details": reissue_notice.details(request, role, language),
            "incident_line": reissue_notice.incident_line(incident, language),
            "signature": reissue_notice.signature(language),
        },
        attachments=["pdf"] if attached is not None else [],
        link_url=invoice_file_absolute_url(attached) if attached is not None else "",
    )


def invoice_redelivered_record(*, invoice_id, email, actor_id, subject="", body="", attachments=()):
    """Send the ledger's re-delivery email as a communication with its files attached (delivered and retried
    like any other email), on the latest open incident holding the invoice if there is one."""
    invoice = Invoice.objects.select_related("buyer").get(pk=invoice_id)
    actor = _user(actor_id)
    incident = Incident.objects.filter(invoices=invoice_id, status__in=OPEN_STATUSES).order_by("-id").first()
    return communication_send_email(
        actor=None, customer=invoice.buyer, incident=incident, invoice=invoice, to=email,
        subject=subject or _("Invoice %(n)s re-delivered") % {"n": invoice},
        body=body or _("Sent again by %(who)s.") % {"who": actor.get_username() if actor else "—"},
        attachments=attachments,
    )
