"""What the customer portal may do to incidents: open one from an appeal and add information to it.

The portal is anonymous, so every write here acts as the system (actor None) and takes only what the form
checked; staff see the result in the shared queue and on the timeline."""
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from ..links import case_url
from ..models import (
    OPEN_STATUSES,
    Channel,
    Communication,
    CommunicationDirection,
    DeliveryStatus,
    EventKind,
    IncidentCategory,
    IncidentEvent,
    IncidentKind,
    Incident,
    IncidentStatus,
    OpenedVia,
)
from .communications import recorded_addresses
from .incidents import incident_open, lock_incident
from .mail import enqueue_delivery
from .timeline import event_record

# The customer's words for what went wrong, and the category a rep would file it under.
APPEAL_CATEGORIES = {
    "not_found": IncidentCategory.INVOICE_MISSING,
    "wrong_details": IncidentCategory.DATA_ENTRY_ERROR,
    "no_file": IncidentCategory.OTHER,
    "other": IncidentCategory.OTHER,
}
MAX_MESSAGE = 2000


def _confirmation_send(*, incident, customer, invoice, to, subject, body):
    """The confirmation is a message to the appellant like any other: an outbound email Communication on the
    incident (the case page shows it once sent), delivered by the one mail path. It goes to the address the
    appellant typed, who already holds the case page; the customer is empty when the lookup found none. Not a
    first response: nobody has answered yet."""
    comm = Communication.objects.create(
        customer=customer, incident=incident, invoice=invoice, channel=Channel.EMAIL,
        direction=CommunicationDirection.OUTBOUND, contact=to, subject=subject, body=body,
        delivery_status=DeliveryStatus.QUEUED,
    )
    enqueue_delivery(comm)
    return comm


@transaction.atomic
def incident_open_from_appeal(*, category, description, contact_name, phone="", email="", invoice=None,
                              numbers_given="", language="zh-hans"):
    """An appeal from the portal: an incident in the shared queue (no team, no owner), the customer and invoice
    attached when the lookup found them, the appeal itself logged as an inbound portal message, and a
    confirmation with the reference and the case link sent to the address given. An appeal about an invoice an
    open incident already holds joins that incident instead (a timeline entry, the same inbound message and
    confirmation policy): the customer is given its reference."""
    errors = {}
    if category not in APPEAL_CATEGORIES:
        errors["category"] = _("Choose what went wrong.")
    description = (description or "").strip()
    if not description:
        errors["description"] = _("Describe the problem.")
    elif len(description) > MAX_MESSAGE:
        errors["description"] = _("At most %(n)s characters.") % {"n": MAX_MESSAGE}
    if not (phone or "").strip() and not (email or "").strip():
        errors["phone"] = _("Leave a phone number or an email address so that we can reach you.")
    if errors:
        raise ValidationError(errors)
    customer = invoice.buyer if invoice is not None else None
    contact = " / ".join(v for v in (contact_name.strip(), phone.strip(), email.strip()) if v)
    details = [description, "", _("Contact: %(c)s") % {"c": contact}]
    if numbers_given.strip():
        details.append(_("Invoice given by the customer: %(n)s") % {"n": numbers_given.strip()})
    what = _("Customer appeal: %(what)s") % {"what": invoice.number if invoice is not None else numbers_given.strip()
                                              or contact_name.strip()}
    incident = _open_incident_holding(invoice)
    if incident is not None:
        # One problem, one incident: the appeal joins the incident already working on this invoice.
        _join_appeal(incident, invoice=invoice, description=description)
        incident.appeal_joined = True  # the case page tells the customer their appeal joined this case
    else:
        incident = incident_open(
            actor=None, title=what[:200], category=APPEAL_CATEGORIES[category], kind=IncidentKind.COMPLAINT,
            description="\n".join(details), customer=customer, seller=getattr(invoice, "seller", None),
            invoices=[invoice] if invoice is not None else (),
        )
        incident.opened_via = OpenedVia.PORTAL
        incident.save(update_fields=["opened_via"])
    if customer is not None:
        Communication.objects.create(
            customer=customer, incident=incident, invoice=invoice, channel=Channel.PORTAL,
            direction=CommunicationDirection.INBOUND, contact=contact[:200], subject=what[:200], body=description,
            delivery_status=DeliveryStatus.LOGGED,
        )
    email = email.strip()
    if email and customer is not None and email.lower() in recorded_addresses(customer):
        _confirmation_now(incident, customer=customer, invoice=invoice, to=email, contact_name=contact_name,
                          language=language)
    elif email:
        # An address nobody recorded: nothing goes to it until the appellant, shown the address on the case page,
        # asks for it (so a typed address cannot be made to receive mail in our name unseen).
        event_record(incident=incident, kind=EventKind.COMMUNICATION, actor=None,
                     code="incident.confirmation_pending", params={"to": email}, data={"to": email,
                                                                                       "language": language})
    return incident


def _open_incident_holding(invoice):
    """The open incident (the oldest, if several) that already holds this invoice, locked; None without one."""
    if invoice is None:
        return None
    found = (Incident.objects.filter(invoices=invoice, status__in=OPEN_STATUSES, duplicate_of__isnull=True)
             .order_by("created_at", "id").values_list("pk", flat=True).first())
    return lock_incident(found) if found is not None else None


def _join_appeal(incident, *, invoice, description):
    """The appeal as a timeline entry of the running incident; one waiting for the customer is worked again."""
    event_record(incident=incident, kind=EventKind.CUSTOMER_MESSAGE, actor=None, code="incident.appeal_joined",
                 params={"n": invoice.number, "text": description},
                 data={"invoice_id": invoice.pk, "via": OpenedVia.PORTAL.value})
    if incident.status == IncidentStatus.WAITING_CUSTOMER:
        incident.status = IncidentStatus.INVESTIGATING
        incident.save(update_fields=["status"])
        event_record(incident=incident, kind=EventKind.STATUS_CHANGE, actor=None, code="incident.customer_replied",
                     data={"from": IncidentStatus.WAITING_CUSTOMER, "to": IncidentStatus.INVESTIGATING})


def appeal_joined(incident):
    """Whether an appeal was added to this incident after it was opened (the case page then says so)."""
    return IncidentEvent.objects.filter(incident=incident, message_code="incident.appeal_joined").exists()


def plain_name(text):
    """A greeting's name as plain words: letters, digits, spaces and the dots of transliterated names only."""
    kept = "".join(ch for ch in (text or "") if ch.isalnum() or ch in " ·.-")
    return " ".join(kept.split())[:30]


def _confirmation_now(incident, *, customer, invoice, to, contact_name, language):
    with override(language):
        subject = _("We have received your appeal %(ref)s") % {"ref": incident.reference}
        body = render_to_string("incidents/email/appeal_received.txt", {
            "incident": incident, "contact_name": plain_name(contact_name), "case_url": case_url(incident),
            "company": getattr(settings, "SERVICE_COMPANY_NAME", ""),
            "phone": getattr(settings, "SERVICE_PHONE", ""),
        })
    _confirmation_send(incident=incident, customer=customer, invoice=invoice, to=to, subject=subject, body=body)
    event_record(incident=incident, kind=EventKind.COMMUNICATION, actor=None,
                 code="incident.confirmation_sent", params={"to": to})


def pending_confirmation(incident):
    """The typed address still waiting for the appellant's go-ahead, or ""."""
    if Communication.objects.filter(incident=incident, channel=Channel.EMAIL,
                                    direction=CommunicationDirection.OUTBOUND, customer__isnull=True).exists():
        return ""
    event = (IncidentEvent.objects.filter(incident=incident, message_code="incident.confirmation_pending")
             .order_by("-at", "-pk").first())
    return (event.data or {}).get("to", "") if event else ""


@transaction.atomic
def incident_appeal_confirmation_send(*, incident):
    """The appellant, shown the address they typed, asks for the confirmation: it goes once, with fixed wording
    (no greeting by name), and proves the address by the case link it carries."""
    incident = lock_incident(incident)
    to = pending_confirmation(incident)
    if not to:
        raise ValidationError({"email": _("There is no confirmation waiting to be sent for this case.")})
    event = (IncidentEvent.objects.filter(incident=incident, message_code="incident.confirmation_pending")
             .order_by("-at", "-pk").first())
    _confirmation_now(incident, customer=None, invoice=None, to=to, contact_name="",
                      language=(event.data or {}).get("language", "zh-hans"))
    return to


@transaction.atomic
def incident_customer_message_add(*, incident, message):
    """The customer adds information on the case page: a timeline event; an incident waiting for the customer
    goes back to investigating, and a resolved one is not reopened silently (a rep reads the message)."""
    message = (message or "").strip()
    if not message:
        raise ValidationError({"message": _("Write your message.")})
    if len(message) > MAX_MESSAGE:
        raise ValidationError({"message": _("At most %(n)s characters.") % {"n": MAX_MESSAGE}})
    incident = lock_incident(incident)
    if incident.status == IncidentStatus.CLOSED:
        raise ValidationError({"message": _("This case is closed. Please submit a new appeal.")})
    event_record(incident=incident, kind=EventKind.CUSTOMER_MESSAGE, actor=None, message=message)
    if incident.status == IncidentStatus.WAITING_CUSTOMER:
        incident.status = IncidentStatus.INVESTIGATING
        incident.save(update_fields=["status"])
        event_record(incident=incident, kind=EventKind.STATUS_CHANGE, actor=None,
                     code="incident.customer_replied",
                     data={"from": IncidentStatus.WAITING_CUSTOMER, "to": IncidentStatus.INVESTIGATING})
    return incident


def next_business_day_end(now, spec):
    """The end of the first working day after today's, in the calendar `spec`."""
    day = timezone.localtime(now).date()
    for _attempt in range(60):
        day += timedelta(days=1)
        if spec.is_working_day(day):
            return spec._window(day)[1]
    return datetime.combine(day, spec.day_end, tzinfo=timezone.get_current_timezone())
