"""What the portal shows, and to whom: a case page holds only its customer's invoices and messages and no staff
name; a survey link opens nothing but the survey; a typed address gets no mail in our name until the appellant,
shown it, asks; greetings are plain text; production shares its rate-limit counters and `check --deploy` says so
when it would not."""
import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from incidents.links import case_token, survey_token
from incidents.models import Communication, CommunicationDirection, IncidentStatus
from incidents.services.communications import communication_send_email
from incidents.services.portal import incident_open_from_appeal, pending_confirmation

from .. import factories

pytestmark = pytest.mark.django_db


def test_a_case_page_shows_nothing_of_another_customer_and_no_staff_name(client, cs_user, seller,
                                                                         django_capture_on_commit_callbacks):
    cs_user.first_name = "张丽"
    cs_user.save()
    mine = factories.customer(name="北京丰台医疗器械有限公司", email="ap@fengtai.example.cn")
    theirs = factories.customer(name="另一家贸易公司", email="b@other.example.cn", contact_name="赵经理")
    my_invoice = factories.invoice(seller_obj=seller, buyer=mine)
    their_invoice = factories.invoice(seller_obj=seller, buyer=theirs,
                                      lines=[factories.line(amount="777.00", rate="0.13")])
    incident = factories.incident(cs_user, customer=mine, invoices=[my_invoice, their_invoice])
    with django_capture_on_commit_callbacks(execute=True):
        communication_send_email(actor=cs_user, customer=mine, incident=incident, subject="关于您的发票",
                                 body="尊敬的客户：已为您处理。\n\n客服 张丽（cs）")
        communication_send_email(actor=cs_user, customer=theirs, incident=incident, subject="赵经理您好",
                                 body="另一家的通知")
    page = client.get(reverse("portal:case", args=[case_token(incident)])).content.decode()
    assert my_invoice.number in page and "关于您的发票" in page
    for leak in (their_invoice.number, "¥877.01", "赵经理", "另一家的通知", "张丽", "（cs）"):
        assert leak not in page, leak
    assert "客服 我们的客服中心（我们的客服中心）" in page


def test_a_survey_link_opens_the_survey_and_nothing_else(client, cs_user):
    customer = factories.customer(email="ap@fengtai.example.cn")
    incident = factories.incident(cs_user, customer=customer)
    type(incident).objects.filter(pk=incident.pk).update(status=IncidentStatus.RESOLVED, root_cause="x", resolution="y")
    page = client.get(reverse("portal:survey", args=[survey_token(incident)])).content.decode()
    assert "/portal/cases/" not in page and case_token(incident) not in page
    assert client.get(reverse("portal:case", args=[survey_token(incident)])).status_code == 404


def test_a_typed_address_gets_mail_only_after_the_appellant_asks_and_the_greeting_is_plain(
        client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        incident = incident_open_from_appeal(category="not_found", description="查不到发票",
                                             contact_name="CN<a href='http://evil.example'>点我</a>",
                                             email="victim@example.org")
    assert mail.outbox == [] and pending_confirmation(incident) == "victim@example.org"
    url = reverse("portal:case", args=[case_token(incident)])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "victim@example.org" in page and "发送确认邮件" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "send_confirmation"})
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["victim@example.org"] and incident.reference in message.body
    assert "evil" not in message.body and "<" not in message.body and "&lt;" not in message.body
    # Asked twice: still one email.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "send_confirmation"})
    assert len(mail.outbox) == 1 and pending_confirmation(incident) == ""
    assert Communication.objects.filter(incident=incident, direction=CommunicationDirection.OUTBOUND).count() == 1


def test_a_recorded_address_is_confirmed_at_once_with_a_plain_greeting(seller, django_capture_on_commit_callbacks):
    buyer = factories.customer(email="ap@fengtai.example.cn")
    invoice = factories.invoice(seller_obj=seller, buyer=buyer)
    with django_capture_on_commit_callbacks(execute=True):
        incident_open_from_appeal(category="not_found", description="查不到", contact_name="王<b>会计</b>'",
                                  email="AP@fengtai.example.cn", invoice=invoice)
    [message] = mail.outbox
    assert "王b会计b" in message.body.splitlines()[0]
    assert "&#x27;" not in message.body and "&lt;" not in message.body


def test_check_deploy_warns_about_a_per_process_rate_limit_cache(settings, capsys):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    call_command("check", deploy=True)
    assert "backoffice.W001" in capsys.readouterr().err
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "c"}}
    call_command("check", deploy=True)
    assert "backoffice.W001" not in capsys.readouterr().err
