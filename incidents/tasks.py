"""django-q2 task functions. They take ids and plain values, never model instances.

The schedule (see incidents.schedules) runs `tick` every few minutes: follow-up reminders and escalation,
and retries of queued emails."""
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from .models import Incident
from .services.communications import communication_deliver, communications_retry_due
from .services.followups import followups_escalate, followups_remind
from .services.satisfaction import survey_send
from .sla import load_calendar

logger = logging.getLogger(__name__)


def deliver_communication(communication_id):
    return communication_deliver(communication_id)


def send_staff_email(subject, body, recipients):
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, list(recipients), fail_silently=False)


def send_survey(incident_id):
    incident = Incident.objects.select_related("customer").filter(pk=incident_id).first()
    if incident is not None:
        survey_send(incident)


def tick():
    """Each part runs even when an earlier one failed (its error is logged and reported as None), so a broken
    reminder never holds back escalations or email retries."""
    now = timezone.now()
    parts = {
        "reminded": lambda: followups_remind(now=now, spec=load_calendar()),
        "escalated": lambda: followups_escalate(now=now, spec=load_calendar()),
        "emails_retried": lambda: communications_retry_due(now=now),
    }
    result = {}
    for name, part in parts.items():
        try:
            result[name] = part()
        except Exception:
            logger.exception("incidents tick: %s failed; the other parts go on", name)
            result[name] = None
    return result


def send_periodic_report(kind):
    from .services.reports import periodic_report_send

    report = periodic_report_send(kind=kind)
    return {"report": report.pk, "period": report.period, "sent": report.sent_at is not None}
