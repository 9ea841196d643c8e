"""Every job of the incident desk, registered with the spine (core/jobs): reactions to the invoice side's facts
(each receiver in receivers.py only enqueues one of these), email delivery, surveys, the tick and the reports."""
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.jobs import job
from core.jobs.models import JobArea

from .models import Incident
from .services import invoice_facts
from .services.followups import followups_escalate, followups_remind
from .services.invoice_risk import invoice_risk_flagged_record
from .services.platform_check import invoice_back_on_platform_record, platform_check_found_record
from .services.mail import email_deliver_job, email_describe, email_gave_up, emails_requeue_lost
from .services.red_letter_notice import red_letter_form_waiting_record
from .services.reports import periodic_report_send, report_build_requested
from .services.satisfaction import survey_send
from .sla import load_calendar

INCIDENTS = JobArea.INCIDENTS


def _at(value):
    return datetime.fromisoformat(value) if isinstance(value, str) else value


# --- reactions to the invoice side's facts (invoices/signals.py) -----------------------------------------------
@job("incidents.platform_unavailable", label=_("record a platform outage"), area=INCIDENTS,
     guarantee="a job row written with the fact; grouping into the open outage incident is idempotent")
def platform_unavailable(*, invoice_ids, error, at):
    invoice_facts.platform_unavailable_record(invoice_ids=invoice_ids, error=error, at=_at(at))


@job("incidents.platform_recovered", label=_("record the platform's recovery"), area=INCIDENTS,
     guarantee="a job row written with the fact; ending an ended outage changes nothing")
def platform_recovered(*, at):
    invoice_facts.platform_recovered_record(at=_at(at))


@job("incidents.invoice_sync_failed", label=_("file invoices whose upload failed"), area=INCIDENTS,
     guarantee="a job row written with the fact; an invoice already on the incident is not added twice")
def invoice_sync_failed(*, invoice_ids, reason, code):
    invoice_facts.invoice_sync_failed_record(invoice_ids=invoice_ids, reason=reason, code=code)


@job("incidents.invoice_verify_failed", label=_("file an invoice the platform lacks"), area=INCIDENTS,
     guarantee="a job row written with the fact; an invoice already on the incident is not added twice")
def invoice_verify_failed(*, invoice_id, outcome, detail, actor_id=None):
    invoice_facts.invoice_verify_failed_record(invoice_id=invoice_id, outcome=outcome, detail=detail,
                                               actor_id=actor_id)


@job("incidents.invoice_reissued", label=_("record a reissue and notify the customer"), area=INCIDENTS,
     guarantee="a job row written with the fact; the notice is one communication per incident and request")
def invoice_reissued(*, request_id, original_id, red_id, new_id, actor_id):
    invoice_facts.invoice_reissued_record(request_id=request_id, original_id=original_id, red_id=red_id,
                                          new_id=new_id, actor_id=actor_id)


@job("incidents.red_letter_form_waiting", label=_("ask the buyer to confirm a red-letter form"), area=INCIDENTS,
     guarantee="a job row written with the fact; one email per form and kind (request, 48-hour reminder)")
def red_letter_form_waiting(*, request_id, original_id, form_number, lapses_at, requester_id, reminder):
    red_letter_form_waiting_record(request_id=request_id, original_id=original_id, form_number=form_number,
                                   lapses_at=lapses_at, requester_id=requester_id, reminder=reminder)


@job("incidents.invoice_redelivered", label=_("send a re-delivered invoice"), area=INCIDENTS,
     guarantee="a job row written with the fact; the email is a communication with its own delivery retries")
def invoice_redelivered(*, invoice_id, email, actor_id, subject="", body="", attachments=()):
    invoice_facts.invoice_redelivered_record(invoice_id=invoice_id, email=email, actor_id=actor_id,
                                             subject=subject, body=body, attachments=attachments)


@job("incidents.platform_credit_low", label=_("warn finance of a seller's credit running low"), area=INCIDENTS,
     guarantee="a job row written with the fact; the email is recorded once per reading and delivered by "
               "incidents.deliver_email")
def platform_credit_low(*, seller_id, total, used, remaining, checked_at):
    invoice_facts.platform_credit_low_record(seller_id=seller_id, total=total, used=used, remaining=remaining,
                                             checked_at=_at(checked_at))


@job("incidents.invoice_risk_flagged", label=_("open an incident for an invoice the tax platform flags"),
     area=INCIDENTS,
     guarantee="a job row written with the fact; one open incident per invoice, the flag on its timeline once per run")
def invoice_risk_flagged(*, invoice_id, risk_level, previous, run_id):
    invoice_risk_flagged_record(invoice_id=invoice_id, risk_level=risk_level, previous=previous, run_id=run_id)


@job("incidents.platform_check_found", label=_("open the incident of a platform check's findings"), area=INCIDENTS,
     guarantee="a job row written with the check's findings; one incident per check (a second run finds it)")
def platform_check_found(*, check_id, seller_id, issued_from, issued_to, missing_ids, mismatch_ids, counts):
    platform_check_found_record(check_id=check_id, seller_id=seller_id, issued_from=issued_from, issued_to=issued_to,
                                missing_ids=missing_ids, mismatch_ids=mismatch_ids, counts=counts)


@job("incidents.invoice_back_on_platform", label=_("tick off an invoice back on the platform"), area=INCIDENTS,
     guarantee="a job row written with the upload; ticked off once per incident; the incident resolves itself when "
               "every invoice is back")
def invoice_back_on_platform(*, invoice_id, platform_id="", at=None):
    invoice_back_on_platform_record(invoice_id=invoice_id, platform_id=platform_id, at=at)


# --- email -------------------------------------------------------------------------------------------------------
@job("incidents.deliver_email", label=_("deliver an email"), area=INCIDENTS, on_give_up=email_gave_up,
     describe=email_describe,
     guarantee="a job row per recorded email (a customer's communication or a staff email); one attempt per run "
               "under the row's lease, retried with back-off; a failed email is a failed job with 重试")
def deliver_email(*, kind, email_id):
    return email_deliver_job(kind=kind, email_id=email_id)


@job("incidents.send_survey", label=_("send a satisfaction survey"), area=INCIDENTS,
     guarantee="a job row; one survey communication per incident")
def send_survey(*, incident_id):
    incident = Incident.objects.select_related("customer").filter(pk=incident_id).first()
    if incident is not None:
        survey_send(incident)


# --- scheduled ---------------------------------------------------------------------------------------------------
@job("incidents.tick", label=_("follow-up reminders, escalation and email retries"), area=INCIDENTS,
     guarantee="scheduled every 5 minutes; each part runs even when another fails, and the job fails if any did")
def tick():
    now = timezone.now()
    parts = {
        "reminded": lambda: followups_remind(now=now, spec=load_calendar()),
        "escalated": lambda: followups_escalate(now=now, spec=load_calendar()),
        "emails_retried": lambda: emails_requeue_lost(now=now),
    }
    result, errors = {}, []
    for name, part in parts.items():
        try:
            result[name] = part()
        except Exception as exc:
            errors.append(f"{name}: {type(exc).__name__}: {exc}")
            result[name] = None
    if errors:
        # Shown on the failed job with every part's error; the parts that worked have done their work.
        raise RuntimeError("; ".join(errors))
    return result


@job("incidents.periodic_report", label=_("build and send the management report"), area=INCIDENTS,
     guarantee="scheduled weekly and monthly; a report's email is recorded once and delivered by "
               "incidents.deliver_email")
def periodic_report(*, kind):
    report = periodic_report_send(kind=kind)
    if report.sent_at:
        return f"{report.period}: sent"
    return f"{report.period}: {'email queued' if report.emails.exists() else 'no manager with an email address'}"


@job("incidents.build_report", label=_("build a management report on request"), area=INCIDENTS,
     guarantee="a job row per request from the 管理报表 page; the report is kept once built (a rerun builds "
               "another copy of the same figures)")
def build_report(*, period, team_id=None, actor_id=None):
    report = report_build_requested(period=period, team_id=team_id, actor_id=actor_id)
    return f"{report.period}: built"
