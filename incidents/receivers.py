"""Receivers for the ledger's signals (invoices/signals.py), connected in IncidentsConfig.ready().

Grouping rules, so a storm of signals yields a handful of incidents:
- platform_unavailable: ONE open platform_outage incident per outage. The outage ends when
  platform_recovered records platform_recovered_at on it; the next unavailability opens a new incident.
- invoice_sync_failed: one open sync_failure incident per issuing entity (seller) per business day
  (Asia/Shanghai date). Failures cluster by seller (its platform account and region); bounding by day keeps
  an incident that staff are already working from swallowing unrelated failures days later.
- invoice_verify_failed: joins the customer's open invoice_missing incident (a rep's or an automatic one),
  otherwise opens one keyed by customer.
- invoice_reissued: a timeline event, and the red and new invoices attached, on every incident that
  holds the original invoice.

The ledger sends these after its own commit, so a failure here must not break the sender: it is logged
with its traceback and the ledger's work stands."""
import functools
import logging
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from invoices import signals
from invoices.ledger.models import Invoice

from .models import (
    OPEN_STATUSES,
    EventKind,
    Incident,
    IncidentCategory,
    IncidentKind,
    Severity,
)
from .services.incidents import (
    incident_attach_invoices,
    incident_update,
    open_incident_for_source,
)
from .services.timeline import event_record

log = logging.getLogger(__name__)
OUTAGE_KEY = "platform_outage"


def logged(receiver):
    @functools.wraps(receiver)
    def wrapper(*args, **kwargs):
        try:
            return receiver(*args, **kwargs)
        except Exception:
            log.exception("incidents receiver %s failed for %s", receiver.__name__, kwargs)
            return None

    return wrapper


@logged
def on_platform_unavailable(sender, *, invoice_ids, error, at, **kwargs):
    incident, created = open_incident_for_source(
        source_key=OUTAGE_KEY, title=_("Tax platform unavailable"), category=IncidentCategory.PLATFORM_OUTAGE,
        kind=IncidentKind.FAULT, severity=Severity.SEV2, description=str(error), fault_started_at=at,
        detected_at=min(at, timezone.now()),
    )
    incident_attach_invoices(
        incident=incident, invoice_ids=list(invoice_ids or []), kind=EventKind.SYNC,
        message=_("Platform unavailable: %(error)s (%(n)d invoice(s))") % {"error": error, "n": len(invoice_ids or [])},
        data={"error": str(error), "at": at.isoformat()},
    )
    return incident


@logged
def on_platform_recovered(sender, *, at, **kwargs):
    incident = (Incident.objects.filter(source_key=OUTAGE_KEY, status__in=OPEN_STATUSES,
                                        platform_recovered_at__isnull=True).first())
    if incident is None:
        return None
    incident = incident_update(incident=incident, actor=None, platform_recovered_at=at)
    event_record(incident=incident, kind=EventKind.SYNC, message=_("Platform answered again."),
                 data={"at": at.isoformat()})
    return incident


@logged
def on_invoice_sync_failed(sender, *, invoice_ids, reason, code, **kwargs):
    by_seller = defaultdict(list)
    for pk, seller_id in Invoice.objects.filter(pk__in=invoice_ids).values_list("pk", "seller_id"):
        by_seller[seller_id].append(pk)
    day = timezone.localdate()
    result = []
    for seller_id, ids in sorted(by_seller.items()):
        from invoices.ledger.models import Seller

        seller = Seller.objects.get(pk=seller_id)
        incident, _created = open_incident_for_source(
            source_key=f"sync_failure:{seller_id}:{day.isoformat()}",
            title=_("Sync failures for %(seller)s on %(day)s") % {"seller": seller.name, "day": day.isoformat()},
            category=IncidentCategory.SYNC_FAILURE, kind=IncidentKind.FAULT, severity=Severity.SEV3, seller=seller,
        )
        incident_attach_invoices(
            incident=incident, invoice_ids=ids, kind=EventKind.SYNC,
            message=_("Sync failed for %(n)d invoice(s): %(reason)s %(code)s") % {
                "n": len(ids), "reason": reason, "code": code},
            data={"reason": str(reason), "code": str(code)},
        )
        result.append(incident)
    return result


@logged
def on_invoice_verify_failed(sender, *, invoice_id, outcome, detail, actor_id=None, **kwargs):
    invoice = Invoice.objects.select_related("buyer").get(pk=invoice_id)
    incident = (Incident.objects.filter(category=IncidentCategory.INVOICE_MISSING, customer=invoice.buyer,
                                        status__in=OPEN_STATUSES).order_by("-id").first())
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
    message = (_("Platform has no invoice %(n)s.") if outcome == "missing"
               else _("Platform disagrees with invoice %(n)s.")) % {"n": invoice}
    incident_attach_invoices(incident=incident, invoice_ids=[invoice.pk], kind=EventKind.SYNC, message=message,
                             data={"outcome": outcome, "detail": detail})
    return incident


@logged
def on_invoice_reissued(sender, *, request_id, original_id, red_id, new_id, actor_id, **kwargs):
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    numbers = dict(Invoice.objects.filter(pk__in=[original_id, red_id, new_id]).values_list("pk", "number"))
    touched = []
    for incident in Incident.objects.filter(invoices=original_id).order_by("id"):
        incident_attach_invoices(
            incident=incident, invoice_ids=[i for i in (red_id, new_id) if i], actor=actor, kind=EventKind.REISSUE,
            message=_("Invoice %(orig)s red-flushed by %(red)s and reissued as %(new)s.") % {
                "orig": numbers.get(original_id, original_id), "red": numbers.get(red_id, red_id),
                "new": numbers.get(new_id, new_id)},
            data={"request_id": request_id, "original_id": original_id, "red_id": red_id, "new_id": new_id},
        )
        touched.append(incident)
    # The notice belongs to the customer's complaint, not to an outage incident that also holds the invoice.
    buyer_id = Invoice.objects.filter(pk=original_id).values_list("buyer_id", flat=True).first()
    complaints = [i for i in touched if i.customer_id == buyer_id and i.status in OPEN_STATUSES]
    _send_reissue_notice(original_id=original_id, new_id=new_id or red_id,
                         incident=max(complaints, key=lambda i: i.pk) if complaints else None)
    return touched


def _send_reissue_notice(*, original_id, new_id, incident):
    """Tell the customer the new number by the reissue-notice template; the communication is logged and
    delivered (and retried) like any other email."""
    from django.conf import settings

    from .models import CommunicationTemplate, TemplatePurpose
    from .services.communications import communication_send_email

    original = Invoice.objects.select_related("buyer").get(pk=original_id)
    new = Invoice.objects.select_related("buyer").get(pk=new_id)
    customer = new.buyer if new.direction == "blue" else original.buyer
    templates = CommunicationTemplate.objects.filter(purpose=TemplatePurpose.REISSUE_NOTICE, active=True)
    template = (templates.filter(language=settings.LANGUAGE_CODE).order_by("id").first()
                or templates.order_by("id").first())
    if template is None or not customer.email:
        reason = _("no active reissue-notice template") if template is None else _("the customer has no email")
        if incident is not None:
            event_record(incident=incident, kind=EventKind.NOTE, actor=None,
                         message=_("Reissue notice not sent: %(r)s.") % {"r": reason})
        log.warning("reissue notice for invoice %s not sent: %s", original_id, reason)
        return None
    return communication_send_email(
        actor=None, customer=customer, template=template, incident=incident, invoice=new,
        extra_context={"invoice_number": original.number, "new_invoice_number": new.number},
    )


@logged
def on_invoice_redelivered(sender, *, invoice_id, email, actor_id, **kwargs):
    """The ledger already sent the mail; record it as a contact with the customer."""
    from .models import Channel, CommunicationDirection
    from .services.communications import communication_log

    invoice = Invoice.objects.select_related("buyer").get(pk=invoice_id)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    incident = Incident.objects.filter(invoices=invoice_id, status__in=OPEN_STATUSES).order_by("-id").first()
    return communication_log(
        actor=None, customer=invoice.buyer, channel=Channel.EMAIL, direction=CommunicationDirection.OUTBOUND,
        incident=incident, invoice=invoice, contact=email,
        subject=_("Invoice %(n)s re-delivered") % {"n": invoice},
        body=_("Sent again by %(who)s.") % {"who": actor.get_username() if actor else "—"},
    )


def connect():
    signals.platform_unavailable.connect(on_platform_unavailable, dispatch_uid="incidents.platform_unavailable")
    signals.platform_recovered.connect(on_platform_recovered, dispatch_uid="incidents.platform_recovered")
    signals.invoice_sync_failed.connect(on_invoice_sync_failed, dispatch_uid="incidents.invoice_sync_failed")
    signals.invoice_verify_failed.connect(on_invoice_verify_failed, dispatch_uid="incidents.invoice_verify_failed")
    signals.invoice_reissued.connect(on_invoice_reissued, dispatch_uid="incidents.invoice_reissued")
    signals.invoice_redelivered.connect(on_invoice_redelivered, dispatch_uid="incidents.invoice_redelivered")
