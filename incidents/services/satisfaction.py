"""The satisfaction survey: sent when an incident with a customer is resolved, answered once on the portal.

A low rating (1–2) or "not solved" opens a 回访 follow-up for a manager of the incident's team, due at the end
of the next business day."""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import sla
from ..links import survey_url
from ..models import Communication, CommunicationPurpose, EventKind, FollowUpPriority, IncidentStatus, SatisfactionAnswer
from .communications import communication_send_email
from .followups import followup_create
from .incidents import lock_incident
from .portal import next_business_day_end
from .timeline import event_record

MAX_COMMENT = 2000


@transaction.atomic
def survey_send(incident):
    """The survey e-mail, as a Communication on the incident (the worker delivers it and retries). Once per
    incident, ever: the incident row is locked so two runs of the job cannot both send it."""
    incident = lock_incident(incident)
    if incident.status not in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED) or not incident.customer_id:
        return None
    if SatisfactionAnswer.objects.filter(incident=incident).exists():
        return None
    if Communication.objects.filter(incident=incident, purpose=CommunicationPurpose.SURVEY).exists():
        return None
    customer = incident.customer
    subject = _("How did we handle your case %(ref)s?") % {"ref": incident.reference}
    body = _(
        "Dear %(name)s,\n\nyour case %(ref)s has been resolved. Please tell us in one minute how we handled it:\n"
        "%(url)s\n\nThe link is valid for 30 days. Thank you."
    ) % {"name": customer.contact_name or customer.name, "ref": incident.reference, "url": survey_url(incident)}
    return communication_send_email(actor=None, customer=customer, subject=subject, body=body, incident=incident,
                                    purpose=CommunicationPurpose.SURVEY)


def team_manager(team):
    """Who calls the customer back: a manager (holder of review_incident) in the team, else any manager."""
    perm = Permission.objects.filter(codename="review_incident", content_type__app_label="incidents").first()
    managers = get_user_model().objects.filter(
        Q(groups__permissions=perm) | Q(user_permissions=perm) | Q(is_superuser=True), is_active=True,
    ).distinct().order_by("is_superuser", "pk")
    if team is not None:
        in_team = managers.filter(teams=team).first()
        if in_team is not None:
            return in_team
    return managers.first()


@transaction.atomic
def satisfaction_record(*, incident, rating, solved, comment=""):
    errors = {}
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        errors["rating"] = _("Choose 1 to 5 stars.")
    if solved not in (True, False):
        errors["solved"] = _("Tell us whether the problem was solved.")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        errors["comment"] = _("At most %(n)s characters.") % {"n": MAX_COMMENT}
    if errors:
        raise ValidationError(errors)
    incident = lock_incident(incident)
    if incident.status not in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED):
        raise ValidationError({"rating": _("This case is not resolved yet.")})
    try:
        with transaction.atomic():
            answer = SatisfactionAnswer.objects.create(incident=incident, rating=rating, solved=solved,
                                                       comment=comment)
    except IntegrityError:
        raise ValidationError({"rating": _("This survey has already been answered. Thank you.")}) from None
    event_record(incident=incident, kind=EventKind.SATISFACTION, actor=None,
                 code="incident.satisfaction", params={"r": rating, "s": bool(solved), "c": comment},
                 data={"rating": rating, "solved": solved})
    if rating <= 2 or not solved:
        manager = team_manager(incident.team)
        if manager is not None:
            followup_create(
                actor=None, assignee=manager, incident=incident, customer=incident.customer,
                due_at=next_business_day_end(timezone.now(), sla.load_calendar()),
                priority=FollowUpPriority.HIGH,
                title=_("Call back %(customer)s about the rating of %(ref)s") % {
                    "customer": incident.customer.name if incident.customer else "", "ref": incident.reference},
                notes=comment,
            )
    return answer
