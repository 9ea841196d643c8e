"""Deliveries carry the files: re-delivery attaches the PDF (and the XML on request) with a working link, as a
communication naming its attachments; the reissue notice attaches the new invoice's PDF; an email whose file the
platform cannot supply waits (shown `waiting`) and goes out on a later retry, never without it."""
import pytest
from django.core import mail

from incidents.models import Communication, DeliveryStatus
from incidents.services.communications import communication_send_email
from invoices.files.links import invoice_from_file_token
from invoices.reissue.services.redeliver import invoice_redeliver

from ... import factories
from ...files_helpers import media, on_platform, pdf_text  # noqa: F401  (fixture)
from ...mail_backends import retry_email_jobs
from ...reissue_helpers import approve_and_complete, blue, request_full

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def outage(on=True):
    from invoices.platform.simulator import sim_settings_row

    row = sim_settings_row()
    row.outage = on
    row.save()


@pytest.fixture
def original(seller, customer):
    return blue(seller, customer, "1000.00", "500.00")


def link_in(body):
    return next(word for word in body.split() if "/files/" in word)


def test_redelivery_attaches_the_pdf_and_a_working_link(client, original, cs_user, settings,
                                                        django_capture_on_commit_callbacks):
    settings.PUBLIC_BASE_URL = "https://fapiao.example.cn"
    on_platform(original)
    with django_capture_on_commit_callbacks(execute=True):
        invoice_redeliver(invoice=original, actor=cs_user)
    [message] = mail.outbox
    [(name, content, content_type)] = message.attachments
    assert name == f"{original.number}.pdf" and content_type == "application/pdf"
    assert original.number in pdf_text(content)
    assert "¥1,695.00" in message.body  # amounts as the customer reads them, not 1695.00
    url = link_in(message.body)
    assert url.startswith("https://fapiao.example.cn/files/")
    response = client.get(url.removeprefix("https://fapiao.example.cn"))
    assert response.status_code == 200 and b"".join(response.streaming_content) == content
    comm = Communication.objects.get(invoice=original)
    assert comm.delivery_status == DeliveryStatus.SENT and comm.attachment_names == [f"{original.number}.pdf"]
    assert comm.contact == original.buyer.email and comm.body == message.body


def test_redelivery_attaches_the_xml_on_request(original, cs_user, django_capture_on_commit_callbacks):
    on_platform(original)
    with django_capture_on_commit_callbacks(execute=True):
        invoice_redeliver(invoice=original, actor=cs_user, formats=["xml"])
    names = [a[0] for a in mail.outbox[0].attachments]
    assert names == [f"{original.number}.pdf", f"{original.number}.xml"]  # the PDF always goes
    assert mail.outbox[0].attachments[1][2] == "application/xml"


def test_redelivery_refuses_an_unknown_format(original, cs_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        invoice_redeliver(invoice=original, actor=cs_user, formats=["docx"])
    assert "formats" in exc.value.message_dict


def test_platform_down_waits_then_sends_on_retry(original, cs_user, django_capture_on_commit_callbacks):
    on_platform(original)
    outage()
    with django_capture_on_commit_callbacks(execute=True):
        invoice_redeliver(invoice=original, actor=cs_user)
    comm = Communication.objects.get(invoice=original)
    assert comm.delivery_status == DeliveryStatus.WAITING and comm.delivery_attempts == 1
    assert "cannot supply" in comm.delivery_error and mail.outbox == []
    assert comm.get_delivery_status_display() == "waiting for attachment"
    outage(False)
    assert retry_email_jobs() == 1
    comm.refresh_from_db()
    assert comm.delivery_status == DeliveryStatus.SENT and len(mail.outbox) == 1
    assert mail.outbox[0].attachments[0][0] == f"{original.number}.pdf"


def test_waiting_too_long_ends_failed_not_sent_without_the_file(original, cs_user, settings,
                                                                 django_capture_on_commit_callbacks):
    settings.INCIDENTS_EMAIL_MAX_ATTEMPTS = 2
    on_platform(original)
    outage()
    with django_capture_on_commit_callbacks(execute=True):
        invoice_redeliver(invoice=original, actor=cs_user)
    retry_email_jobs()
    comm = Communication.objects.get(invoice=original)
    assert comm.delivery_status == DeliveryStatus.FAILED and mail.outbox == []


def test_reissue_notice_attaches_the_new_invoices_pdf(original, finance_user, finance_user2,
                                                      django_capture_on_commit_callbacks):
    on_platform(original)
    req = approve_and_complete(request_full(original, finance_user), finance_user2,
                               django_capture_on_commit_callbacks)
    assert req.status == "completed"
    new = req.new_invoice
    notices = [m for m in mail.outbox if new.number in m.body]
    [notice] = notices
    assert [a[0] for a in notice.attachments] == [f"{new.number}.pdf"]
    token = link_in(notice.body).rstrip("/").split("/")[-1]
    assert invoice_from_file_token(token, "pdf") == new
    comm = Communication.objects.get(invoice=new)
    assert comm.attachment_names == [f"{new.number}.pdf"]


def test_attachments_need_an_invoice_and_a_known_format(cs_user, customer):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        communication_send_email(actor=None, customer=factories.customer(email="a@example.cn"), subject="s",
                                 body="b", attachments=["pdf"])
    assert "attachments" in exc.value.message_dict


def test_the_communication_page_names_the_attachments_and_shows_waiting(client, original, cs_user, manager_user,
                                                                        django_capture_on_commit_callbacks):
    from django.urls import reverse

    on_platform(original)
    outage()
    with django_capture_on_commit_callbacks(execute=True):
        invoice_redeliver(invoice=original, actor=cs_user)
    comm = Communication.objects.get(invoice=original)
    client.force_login(manager_user)
    page = client.get(reverse("admin:incidents_communication_change", args=[comm.pk])).content.decode()
    assert f"{original.number}.pdf" in page and "等待附件" in page


def test_redelivering_a_red_invoice_says_red_and_plain_text_is_not_escaped(
        seller, finance_user, finance_user2, cs_user, django_capture_on_commit_callbacks):
    buyer = factories.customer(name="北京<丰台>医疗器械有限公司 & Co's", email="ap@fengtai.example.cn")
    original = blue(seller, buyer, "1000.00")
    req = approve_and_complete(request_full(original, finance_user), finance_user2,
                               django_capture_on_commit_callbacks)
    red = req.red_invoice
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        invoice_redeliver(invoice=red, actor=cs_user)
    [message] = mail.outbox
    assert message.subject.endswith(f"的红字发票 {red.number}（重新发送）")
    assert f"红字（负数）发票 {red.number}" in message.body and f"冲销发票 {original.number}" in message.body
    assert "金额 -¥1,000.00，税额 -¥130.00" in message.body and "+ -¥" not in message.body
    assert "北京<丰台>医疗器械有限公司 & Co's" in message.body and "&lt;" not in message.body
