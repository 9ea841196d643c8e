"""'Notify all affected customers' of an incident."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from invoices.ledger.models import Customer

from .. import sla
from ..access import ensure_can_work_incident
from ..models import (
    Channel,
    Communication,
    CommunicationDirection,
    DeliveryStatus,
    EventKind,
    FollowUp,
    FollowUpStatus,
)
from ..rendering import render_subject, render_text
from .communications import communication_send_email, template_context
from .followups import followup_create
from .incidents import lock_incident
from .timeline import event_record


def affected_customers(incident):
    """The incident's customer and the buyers of its invoices, each once."""
    ids = set(incident.invoices.values_list("buyer_id", flat=True).distinct())
    if incident.customer_id:
        ids.add(incident.customer_id)
    return list(Customer.objects.filter(pk__in=ids).order_by("id"))


def _confirmation_pending(incident, customer):
    """An open follow-up made by an earlier notification of this incident to this customer."""
    return FollowUp.objects.filter(
        incident=incident, customer=customer, status=FollowUpStatus.OPEN, communication__template__isnull=False,
        communication__channel=Channel.EMAIL, communication__direction=CommunicationDirection.OUTBOUND,
    ).exists()


@transaction.atomic
def incident_notify_customers(*, incident, template, actor):
    """Per customer: send the rendered template (or record it as failed when there is no address), and
    create a follow-up "confirm the invoice is now visible" for the incident's owner."""
    incident = lock_incident(incident)
    ensure_can_work_incident(actor, incident)
    customers = affected_customers(incident)
    if not customers:
        raise ValidationError({"incident": _("This incident has no customer or invoices to notify about.")})
    due = sla.add_business_time(timezone.now(), sla.hours(getattr(settings, "INCIDENTS_NOTIFY_FOLLOWUP_HOURS", 9)),
                                sla.load_calendar())
    assignee = incident.owner or actor
    results = []
    for customer in customers:
        if customer.email:
            comm = communication_send_email(actor=actor, customer=customer, template=template, incident=incident)
        else:
            # Not sendable: kept as a failed outbound email so someone phones instead; never silently dropped.
            context = template_context(customer=customer, incident=incident, actor=actor)
            comm = Communication.objects.create(
                customer=customer, incident=incident, channel=Channel.EMAIL, direction=CommunicationDirection.OUTBOUND,
                subject=render_subject(template.subject, context), body=render_text(template.body, context),
                template=template, created_by=actor, delivery_status=DeliveryStatus.FAILED,
                delivery_error=_("The customer has no email address."),
            )
        if _confirmation_pending(incident, customer):
            results.append(comm)
            continue  # one "confirm the invoice is visible" call per customer is enough (apology, then resolution)
        followup_create(
            # Created on the owner's behalf by the notify action itself, not assigned by the acting rep.
            actor=actor if assignee == actor else None,
            assignee=assignee, due_at=due, incident=incident, customer=customer,
            title=_("Confirm with %(customer)s that the invoice is now visible") % {"customer": customer.name},
            communication=comm,
        )
        results.append(comm)
    event_record(incident=incident, kind=EventKind.COMMUNICATION, actor=actor,
                 code="incident.notified", params={"n": len(results), "t": template.name},
                 data={"communication_ids": [c.pk for c in results], "template_id": template.pk})
    return results


def notify_preview(*, incident, template, actor):
    """What `incident_notify_customers` would send, per customer, without sending or writing anything:
    [(customer, subject, body)]."""
    previews = []
    for customer in affected_customers(incident):
        context = template_context(customer=customer, incident=incident, actor=actor)
        previews.append((customer, render_subject(template.subject, context), render_text(template.body, context)))
    return previews
