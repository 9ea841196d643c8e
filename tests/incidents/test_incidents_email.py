from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents.models import CommunicationTemplate, DeliveryStatus, EventKind, FollowUp
from incidents.rendering import render_text
from core.jobs.models import Job, JobStatus
from incidents.services.communications import communication_log, communication_send_email
from incidents.services.mail import email_deliver
from incidents.services.notify import incident_notify_customers

from .. import factories
from ..incident_helpers import open_incident
from ..mail_backends import retry_email_jobs

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_reference_data")]
FAILING = "tests.mail_backends.FailingEmailBackend"


@pytest.fixture
def template():
    return CommunicationTemplate.objects.create(
        code="apology", language="zh-hans", purpose="apology", name="致歉",
        subject="关于发票 {invoice_number} {incident_reference}",
        body="尊敬的{customer_name}：{{ settings.SECRET_KEY }} {% debug %} {unknown} {rep_name}",
    )


def test_rendering_substitutes_placeholders_only():
    text = "Hi {customer_name} {{ request }} {% load x %} {rep_name.__class__} {unknown}"
    out = render_text(text, {"customer_name": "{rep_name}<b>", "rep_name": "x"})
    assert out == "Hi {rep_name}<b> {{ request }} {% load x %} {rep_name.__class__} {unknown}"


def test_template_rejects_unknown_placeholders(template):
    template.body = "{customer_name} {password}"
    with pytest.raises(ValidationError) as exc:
        template.full_clean()
    assert "body" in exc.value.message_dict


def test_send_email_success(cs_user, template, django_capture_on_commit_callbacks):
    customer = factories.customer(email="buyer@example.cn")
    invoice = factories.invoice(buyer=customer)
    incident = open_incident(cs_user, customer=customer, invoices=[invoice])
    with django_capture_on_commit_callbacks(execute=True):
        comm = communication_send_email(actor=cs_user, customer=customer, template=template, incident=incident)
    comm.refresh_from_db()
    assert comm.delivery_status == DeliveryStatus.SENT and comm.delivery_attempts == 1 and comm.sent_at
    [message] = mail.outbox
    assert message.to == ["buyer@example.cn"]
    assert message.subject == f"关于发票 {invoice} {incident.reference}"
    assert "{{ settings.SECRET_KEY }}" in message.body and customer.name in message.body
    incident.refresh_from_db()
    assert incident.customer_informed_at is not None and incident.first_response_at is not None


def test_send_email_failure_retries_then_fails(cs_user, template, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = FAILING
    settings.INCIDENTS_EMAIL_MAX_ATTEMPTS = 3
    customer = factories.customer(email="buyer@example.cn")
    incident = open_incident(cs_user, customer=customer)
    with django_capture_on_commit_callbacks(execute=True):
        comm = communication_send_email(actor=cs_user, customer=customer, template=template, incident=incident)
    comm.refresh_from_db()
    assert comm.delivery_status == DeliveryStatus.QUEUED and comm.delivery_attempts == 1
    assert "SMTPServerDisconnected" in comm.delivery_error
    # The job retries it: not yet due, the back-off holds it back.
    job = Job.objects.get(name="incidents.deliver_email")
    assert job.status == JobStatus.QUEUED and job.next_try_at > timezone.now()
    assert "SMTPServerDisconnected" in job.last_error
    assert retry_email_jobs() == 1
    assert retry_email_jobs() == 1
    comm.refresh_from_db()
    job.refresh_from_db()
    assert comm.delivery_status == DeliveryStatus.FAILED and comm.delivery_attempts == 3
    assert job.status == JobStatus.FAILED and "SMTPServerDisconnected" in job.last_error
    assert retry_email_jobs() == 0
    assert incident.events.filter(kind=EventKind.COMMUNICATION, data__delivery_status="failed").exists()
    assert mail.outbox == []


def test_delivery_is_idempotent(cs_user, template, django_capture_on_commit_callbacks):
    customer = factories.customer(email="buyer@example.cn")
    with django_capture_on_commit_callbacks(execute=True):
        comm = communication_send_email(actor=cs_user, customer=customer, template=template)
    assert email_deliver("communication", comm.pk) == DeliveryStatus.SENT
    assert len(mail.outbox) == 1


def test_no_email_address_is_refused(cs_user, template):
    customer = factories.customer(email="")
    with pytest.raises(ValidationError) as exc:
        communication_send_email(actor=cs_user, customer=customer, template=template)
    assert "customer" in exc.value.message_dict


def test_promised_callback_creates_followup(cs_user, customer):
    incident = open_incident(cs_user, customer=customer)
    now = timezone.now()
    comm = communication_log(actor=cs_user, customer=customer, incident=incident, channel="phone",
                             direction="inbound", occurred_at=now - timedelta(minutes=5), subject="来电",
                             callback_at=now + timedelta(hours=2))
    fu = FollowUp.objects.get(communication=comm)
    assert fu.assignee == cs_user and fu.due_at == comm.callback_at and fu.incident == incident
    with pytest.raises(ValidationError):
        communication_log(actor=cs_user, customer=customer, channel="phone", direction="inbound",
                          occurred_at=now, callback_at=now - timedelta(hours=1))


def test_notify_all_affected_customers(cs_user, template, seller, django_capture_on_commit_callbacks):
    a = factories.customer(email="a@example.cn")
    b = factories.customer(email="")
    invoices = [factories.invoice(seller_obj=seller, buyer=a), factories.invoice(seller_obj=seller, buyer=b)]
    incident = open_incident(cs_user, category="platform_outage", invoices=invoices)
    with django_capture_on_commit_callbacks(execute=True):
        comms = incident_notify_customers(incident=incident, template=template, actor=cs_user)
    statuses = {c.customer_id: c.delivery_status for c in comms}
    for c in comms:
        c.refresh_from_db()
    assert {c.customer_id: c.delivery_status for c in comms} == {a.pk: "sent", b.pk: "failed"}
    assert statuses[b.pk] == "failed"
    assert FollowUp.objects.filter(incident=incident).count() == 2
    assert [m.to for m in mail.outbox] == [["a@example.cn"]]
