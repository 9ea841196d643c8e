"""One mail path: every kind of outgoing email is a recorded row that the delivery job sends once, a failing mail
server leaves the row retrying with its error until a retry sends it, the appeal's confirmation is on the case
page, and no other code hands a message to the mail backend."""
import ast
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.jobs.models import Job, JobStatus
from core.jobs.services import job_retry
from incidents.links import case_token
from incidents.models import (
    Communication,
    CommunicationDirection,
    DeliveryStatus,
    Incident,
    IncidentStatus,
    StaffEmail,
    StaffEmailPurpose,
)
from incidents.reporting.periods import last_month
from incidents.services.communications import communication_send_email
from incidents.services.followups import followup_create, followups_escalate, followups_remind
from incidents.services.portal import incident_appeal_confirmation_send, incident_open_from_appeal
from incidents.services.reports import report_build, report_send
from incidents.services.satisfaction import survey_send

from .. import factories
from ..incident_helpers import open_incident
from ..mail_backends import retry_email_jobs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_reference_data")]
FAILING = "tests.mail_backends.FailingEmailBackend"
ROOT = Path(__file__).resolve().parents[2]
DELIVERY_MODULE = ROOT / "incidents" / "services" / "mail.py"


@pytest.fixture
def staff(cs_user, manager_user):
    cs_user.email, manager_user.email = "rep@example.cn", "boss@example.cn"
    cs_user.save(update_fields=["email"])
    manager_user.save(update_fields=["email"])
    return cs_user, manager_user


def customer_notice(staff):
    customer = factories.customer(email="buyer@example.cn")
    incident = open_incident(staff[0], customer=customer)
    return communication_send_email(actor=staff[0], customer=customer, incident=incident, subject="发票已重新上传",
                                    body="您好，发票已重新上传。")


def appeal_confirmation(staff):
    incident = incident_open_from_appeal(category="not_found", description="查不到发票", contact_name="王会计",
                                         email="wang@example.cn")
    incident_appeal_confirmation_send(incident=incident)  # the appellant, shown the address, asks for it
    return Communication.objects.get(incident=incident, direction=CommunicationDirection.OUTBOUND)


def survey(staff):
    customer = factories.customer(email="buyer@example.cn")
    incident = open_incident(staff[0], customer=customer)
    # Resolved without the transition's own reactions, so that the survey is the only email.
    Incident.objects.filter(pk=incident.pk).update(status=IncidentStatus.RESOLVED, root_cause="上传任务失败",
                                                   resolution="已重新上传")
    incident.refresh_from_db()
    return survey_send(incident)


def report(staff):
    built = report_build(period=last_month(date(2026, 11, 1)))
    report_send(report=built)
    return StaffEmail.objects.get(report=built)


def reminder(staff):
    followup_create(actor=staff[0], title="回电客户", incident=open_incident(staff[0]),
                    due_at=timezone.now() + timedelta(minutes=1))
    assert followups_remind() == 1
    return StaffEmail.objects.get(purpose=StaffEmailPurpose.REMINDER)


def escalation(staff):
    followup_create(actor=staff[0], title="逾期回电", incident=open_incident(staff[0]),
                    due_at=timezone.now() - timedelta(days=21))
    assert followups_escalate() == 1
    return StaffEmail.objects.get(purpose=StaffEmailPurpose.ESCALATION)


KINDS = {"customer notice": (customer_notice, ["buyer@example.cn"]),
         "appeal confirmation": (appeal_confirmation, ["wang@example.cn"]),
         "survey link": (survey, ["buyer@example.cn"]),
         "management report": (report, ["boss@example.cn"]),
         "follow-up reminder": (reminder, ["rep@example.cn"]),
         "follow-up escalation": (escalation, ["boss@example.cn"])}


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_email_is_a_recorded_row_sent_once_by_its_job(kind, staff, django_capture_on_commit_callbacks):
    make, to = KINDS[kind]
    with django_capture_on_commit_callbacks(execute=True):
        row = make(staff)
    row.refresh_from_db()
    assert row.delivery_status == DeliveryStatus.SENT and row.delivery_attempts == 1 and row.sent_at
    [message] = mail.outbox
    assert message.to == to and message.subject == row.subject
    [job] = Job.objects.filter(name="incidents.deliver_email")
    assert job.status == JobStatus.DONE and job.params["email_id"] == row.pk


def test_the_report_attaches_its_stored_files(staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = report(staff)
    assert [spec["format"] for spec in email.attachments] == ["xlsx", "pdf"]
    assert set(Job.objects.get(name="incidents.deliver_email").params) == {"kind", "email_id"}  # ids, no bytes
    [message] = mail.outbox
    assert sorted(name.rsplit(".", 1)[1] for name, _content, _type in message.attachments) == ["pdf", "xlsx"]
    email.report.refresh_from_db()
    assert email.report.sent_at is not None


@pytest.mark.parametrize("kind", ["customer notice", "follow-up escalation"])
def test_a_failing_mail_server_leaves_the_row_retrying_and_a_retry_sends_it(kind, staff, settings,
                                                                            django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = FAILING
    with django_capture_on_commit_callbacks(execute=True):
        row = KINDS[kind][0](staff)
    row.refresh_from_db()
    job = Job.objects.get(name="incidents.deliver_email")
    assert row.delivery_status == DeliveryStatus.QUEUED and row.delivery_attempts == 1
    assert "SMTPServerDisconnected" in row.delivery_error and "SMTPServerDisconnected" in job.last_error
    assert job.status == JobStatus.QUEUED and mail.outbox == []
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert retry_email_jobs() == 1
    row.refresh_from_db()
    job.refresh_from_db()
    assert row.delivery_status == DeliveryStatus.SENT and row.delivery_error == "" and len(mail.outbox) == 1
    assert job.status == JobStatus.DONE


def test_a_failed_email_is_a_failed_job_and_its_retry_sends_it(staff, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = FAILING
    settings.INCIDENTS_EMAIL_MAX_ATTEMPTS = 1
    with django_capture_on_commit_callbacks(execute=True):
        row = appeal_confirmation(staff)
    row.refresh_from_db()
    job = Job.objects.get(name="incidents.deliver_email")
    assert row.delivery_status == DeliveryStatus.FAILED and "SMTPServerDisconnected" in row.delivery_error
    assert job.status == JobStatus.FAILED and "SMTPServerDisconnected" in job.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        job_retry(job=job, actor=staff[1])  # 重试, by a manager: an incident job
    row.refresh_from_db()
    assert row.delivery_status == DeliveryStatus.SENT and len(mail.outbox) == 1
    assert Job.objects.get(pk=job.pk).status == JobStatus.DONE


def test_the_appeal_confirmation_shows_on_the_case_page_and_no_other_customers_mail(
        client, staff, seller, django_capture_on_commit_callbacks):
    buyer = factories.customer(name="北京丰台医疗器械有限公司", email="ap@fengtai.example.cn")
    other = factories.customer(name="另一家公司", email="other@example.cn")
    invoice = factories.invoice(seller_obj=seller, buyer=buyer)
    with django_capture_on_commit_callbacks(execute=True):
        incident = incident_open_from_appeal(category="not_found", description="查不到发票", contact_name="王会计",
                                             email="ap@fengtai.example.cn", invoice=invoice)
        communication_send_email(actor=None, customer=other, incident=incident, subject="另一家公司的通知",
                                 body="OTHER CUSTOMER'S NOTICE")
    confirmation = Communication.objects.get(incident=incident, contact="ap@fengtai.example.cn")
    assert confirmation.customer == buyer and confirmation.delivery_status == DeliveryStatus.SENT
    page = client.get(reverse("portal:case", args=[case_token(incident)])).content.decode()
    assert confirmation.subject in page
    assert "OTHER CUSTOMER" not in page and "另一家公司的通知" not in page


MAIL_SENDERS = {"send_mail", "send_mass_mail", "mail_admins", "mail_managers", "EmailMessage",
                "EmailMultiAlternatives", "get_connection"}


def _mail_senders_used(path):
    """Names from django.core.mail that hand a message to a backend, imported or called in one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django.core.mail"):
            found += [alias.name for alias in node.names if alias.name in MAIL_SENDERS]
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if alias.name.startswith("django.core.mail")]
        elif isinstance(node, ast.Attribute) and node.attr in MAIL_SENDERS | {"send_messages"}:
            found.append(node.attr)
    return found


def test_only_the_delivery_function_sends_mail():
    offenders = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in {".venv", "tests", "node_modules"} or "migrations" in rel.parts or path == DELIVERY_MODULE:
            continue
        used = _mail_senders_used(path)
        if used:
            offenders[str(rel)] = used
    assert offenders == {}, "send email only through incidents.services.mail.email_deliver"
    # The delivery module itself sends in one function.
    tree = ast.parse(DELIVERY_MODULE.read_text(encoding="utf-8"))
    senders = [fn.name for fn in ast.walk(tree) if isinstance(fn, ast.FunctionDef)
               and any(isinstance(n, ast.Attribute) and n.attr == "send" for n in ast.walk(fn))]
    assert senders == ["email_deliver"]
