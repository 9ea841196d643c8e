"""django-q2 task functions. They take ids and plain values, never model instances.

The schedule (see incidents.schedules) runs `tick` every few minutes: follow-up reminders and escalation,
and retries of queued emails."""
from django.conf import settings
from django.core.mail import send_mail

from .services.communications import communication_deliver, communications_retry_due
from .services.followups import followups_remind_and_escalate


def deliver_communication(communication_id):
    return communication_deliver(communication_id)


def send_staff_email(subject, body, recipients):
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, list(recipients), fail_silently=False)


def tick():
    reminded, escalated = followups_remind_and_escalate()
    retried = communications_retry_due()
    return {"reminded": reminded, "escalated": escalated, "emails_retried": retried}


def send_periodic_report(kind):
    from .services.reports import periodic_report_send

    report = periodic_report_send(kind=kind)
    return {"report": report.pk, "period": report.period, "sent": report.sent_at is not None}
