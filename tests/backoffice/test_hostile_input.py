"""Replays every hostile or careless input of issue 16 (items "every bad input a 400" and "auth and scope"):
each answers a 4xx naming the field and the rule, never a 5xx, and writes nothing."""
import pytest

from core.parsers import json_depth_exceeds
from tests.factories import SOFTWARE_MAINTENANCE_CODE

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/api/v1/invoices/", "/api/v1/auth/token/", "/api/v1/communications/"])
def test_json_nested_3000_levels_is_a_400_naming_the_limit(api_as, django_user_model, url):
    root = django_user_model.objects.create_superuser("root", password="pw-root")
    body = "[" * 3000 + "]" * 3000
    response = api_as(root).post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert "32" in response.json()["detail"]


def test_json_depth_counts_brackets_outside_strings_only():
    assert not json_depth_exceeds('{"a": "[[[[[[[[[["}', 3)
    assert not json_depth_exceeds('{"a": "\\"[[[[[["}', 3)
    assert json_depth_exceeds('{"a": [[[1]]]}', 3)
    assert not json_depth_exceeds('{"a": [[1]]}', 3)


def test_non_numeric_admin_ids_are_not_found(client, django_user_model):
    """Every registered model's change, history and delete pages: an id that is not a number never 500s."""
    from django.contrib import admin

    root = django_user_model.objects.create_superuser("root", password="pw-root")
    client.force_login(root)
    assert client.get("/admin/invoices/reissuerequest/abc/change/").status_code == 404
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/abc"
        for page in ("change", "history", "delete"):
            status = client.get(f"{base}/{page}/").status_code
            assert status in (302, 403, 404), (base, page, status)


# --- lengths after normalisation, single-line email headers, recorded addresses ---


def _comm_body(customer, **over):
    return {"customer": customer.pk, "channel": "email", "direction": "outbound", **over}


@pytest.mark.parametrize("field", ["contact", "subject"])
def test_communication_text_over_its_column_is_a_400(api_as, cs_user, customer, field):
    from incidents.models import Communication

    response = api_as(cs_user).post("/api/v1/communications/", _comm_body(customer, **{field: "x" * 201}),
                                    format="json")
    assert response.status_code == 400 and field in response.json()
    assert not Communication.objects.exists()


def test_communication_length_is_also_checked_by_the_service(cs_user, customer):
    from django.core.exceptions import ValidationError

    from incidents.services.communications import communication_log

    with pytest.raises(ValidationError) as exc:
        communication_log(actor=cs_user, customer=customer, channel="phone", direction="inbound", contact="x" * 201)
    assert "200" in exc.value.message_dict["contact"][0]


def test_customer_mobile_that_nfkc_expands_past_its_column_is_a_400(api_as, finance_user):
    from invoices.ledger.models import Customer

    response = api_as(finance_user).post("/api/v1/customers/", {"name": "北京某公司", "mobile": "㍱" * 30},
                                         format="json")
    assert response.status_code == 400, response.json()
    assert "30" in response.json()["mobile"][0] and "90" in response.json()["mobile"][0]
    assert not Customer.objects.filter(name="北京某公司").exists()


@pytest.mark.parametrize("field,value", [("subject", "hi\r\nBcc: all@evil.example"), ("contact", "a@b.cn\nBcc: x@y.z")])
def test_cr_lf_in_an_email_subject_or_address_is_a_400(api_as, cs_user, field, value):
    from incidents.models import Communication

    from .. import factories

    buyer = factories.customer(email="a@b.cn")
    body = _comm_body(buyer, subject="发票", contact="a@b.cn", send=True)
    body[field] = value
    response = api_as(cs_user).post("/api/v1/communications/", body, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not Communication.objects.exists()


def test_email_to_an_address_not_recorded_on_the_customer_is_refused_until_recorded(
        api_as, cs_user, finance_user, django_capture_on_commit_callbacks):
    from incidents.models import Communication
    from invoices.ledger.services.customers import customer_update

    from .. import factories

    buyer = factories.customer(email="buyer@example.cn")
    body = _comm_body(buyer, subject="发票", contact="someone@elsewhere.example", send=True)
    response = api_as(cs_user).post("/api/v1/communications/", body, format="json")
    assert response.status_code == 400 and "someone@elsewhere.example" in response.json()["contact"][0]
    assert not Communication.objects.exists()
    customer_update(customer=buyer, actor=finance_user, email="someone@elsewhere.example")
    assert buyer.history.filter(email="someone@elsewhere.example").exists()  # the recording is audited
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(cs_user).post("/api/v1/communications/", body, format="json")
    assert response.status_code == 201, response.json()


def test_an_email_that_can_never_be_sent_fails_with_its_reason_at_once(cs_user, customer):
    from incidents.models import Channel, Communication, DeliveryStatus
    from datetime import timedelta

    from django.utils import timezone

    from incidents.services.mail import email_deliver, emails_requeue_lost

    comm = Communication.objects.create(customer=customer, channel=Channel.EMAIL, direction="outbound",
                                        contact="a@b.cn\r\nBcc: x@y.z", subject="s",
                                        delivery_status=DeliveryStatus.QUEUED)
    assert email_deliver("communication", comm.pk) == DeliveryStatus.FAILED
    comm.refresh_from_db()
    assert comm.delivery_attempts == 1 and "CR/LF" in comm.delivery_error and comm.next_attempt_at is None
    assert emails_requeue_lost(now=timezone.now() + timedelta(days=1)) == 0


# --- amounts bounded by their columns, zero totals, dates in a sane range, names ---


def _issue(api, seller, buyer, **over):
    body = {"kind": "digital_general", "seller": seller.pk, "buyer": buyer.pk,
            "lines": [{"name": "*信息技术服务*软件维护服务", "amount": "100.00", "tax_rate": "0.13",
                       "tax_code": SOFTWARE_MAINTENANCE_CODE}], **over}
    return api.post("/api/v1/invoices/", body, format="json")


def test_line_amount_overflowing_the_total_column_is_a_400(api_as, finance_user, seller, customer):
    from invoices.ledger.models import Invoice

    response = _issue(api_as(finance_user), seller, customer,
                      lines=[{"name": "服务", "amount": "99999999999999.99", "tax_rate": "0.13",
                              "tax_code": SOFTWARE_MAINTENANCE_CODE}])
    assert response.status_code == 400, response.json()
    assert set(response.json()) & {"total", "tax_amount", "lines.1.tax_amount"}
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("amount", ["0.00", "-0.00"])
def test_zero_total_invoice_is_refused(api_as, finance_user, seller, customer, amount):
    response = _issue(api_as(finance_user), seller, customer,
                      lines=[{"name": "服务", "amount": amount, "tax_rate": "0.13",
                              "tax_code": SOFTWARE_MAINTENANCE_CODE}])
    assert response.status_code == 400 and "total" in response.json(), response.json()


@pytest.mark.parametrize("issued_at", ["0001-01-02T00:00:00+08:00", "1999-12-31T23:00:00+08:00",
                                       "2999-01-01T00:00:00+08:00"])
def test_issue_date_outside_2000_to_tomorrow_is_a_400(api_as, finance_user, seller, customer, issued_at):
    response = _issue(api_as(finance_user), seller, customer, issued_at=issued_at)
    assert response.status_code == 400 and "issued_at" in response.json(), response.json()


def test_issue_date_of_tomorrow_is_accepted(api_as, finance_user, seller, customer):
    from datetime import timedelta

    from django.utils import timezone

    tomorrow = timezone.localtime() + timedelta(days=1)
    response = _issue(api_as(finance_user), seller, customer, issued_at=tomorrow.isoformat())
    assert response.status_code == 201, response.json()


def test_follow_up_due_in_9999_is_a_400(api_as, cs_user, customer):
    response = api_as(cs_user).post("/api/v1/follow-ups/", {"customer": customer.pk, "title": "回电",
                                                            "due_at": "9999-12-31T00:00:00+08:00"}, format="json")
    assert response.status_code == 400 and "due_at" in response.json(), response.json()


def test_note_dated_year_1_is_a_400(api_as, cs_user):
    from ..incident_helpers import open_incident

    incident = open_incident(cs_user)
    response = api_as(cs_user).post(f"/api/v1/incidents/{incident.pk}/events/",
                                    {"message": "called", "at": "0001-01-02T00:00:00+08:00"}, format="json")
    assert response.status_code == 400 and "at" in response.json(), response.json()
    assert not incident.events.filter(message="called").exists()


@pytest.mark.parametrize("name", ["\u200b\u200b\u200b", "\u200b \ufeff\u2060"])
def test_customer_name_without_a_visible_character_is_a_400(api_as, finance_user, name):
    response = api_as(finance_user).post("/api/v1/customers/", {"name": name}, format="json")
    assert response.status_code == 400 and "name" in response.json(), response.json()


def test_bidi_controls_are_removed_from_names(api_as, finance_user, seller):
    from invoices.ledger.models import Customer, Invoice

    api = api_as(finance_user)
    response = api.post("/api/v1/customers/", {"name": "北京\u202e某某\u202c公司", "contact_name": "\u2067张三\u2069"},
                        format="json")
    assert response.status_code == 201, response.json()
    buyer = Customer.objects.get(pk=response.json()["id"])
    assert (buyer.name, buyer.contact_name) == ("北京某某公司", "张三")
    response = _issue(api, seller, buyer, lines=[{"name": "\u202e服务", "amount": "10.00", "tax_rate": "0.13",
                                                 "tax_code": SOFTWARE_MAINTENANCE_CODE}])
    assert response.status_code == 201, response.json()
    assert Invoice.objects.get().lines.get().name == "服务"


# --- auth: tokens die with the password, expire, and spraying is throttled per address ---


def _token_client(user):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + Token.objects.create(user=user).key)
    return client


def test_password_change_deletes_the_users_tokens(cs_user):
    client = _token_client(cs_user)
    assert client.get("/api/v1/invoices/").status_code == 200
    cs_user.set_password("a-new-long-password-1")
    cs_user.save()
    assert client.get("/api/v1/invoices/").status_code == 401


def test_password_change_in_the_admin_deletes_the_users_tokens(client, cs_user, django_user_model):
    from rest_framework.authtoken.models import Token

    api = _token_client(cs_user)
    client.force_login(django_user_model.objects.create_superuser("root", password="pw-root"))
    response = client.post(f"/admin/auth/user/{cs_user.pk}/password/",
                           {"password1": "Zq8-new-long-password", "password2": "Zq8-new-long-password"})
    assert response.status_code == 302
    assert not Token.objects.filter(user=cs_user).exists()
    assert api.get("/api/v1/invoices/").status_code == 401


def test_deactivation_by_any_path_deletes_the_users_tokens(cs_user, finance_user):
    client = _token_client(cs_user)
    cs_user.is_active = False
    cs_user.save()
    assert client.get("/api/v1/invoices/").status_code == 401
    from rest_framework.authtoken.models import Token

    assert not Token.objects.filter(user=cs_user).exists()  # reactivating does not revive the token
    other = _token_client(finance_user)
    finance_user.last_name = "王"
    finance_user.save()  # saving anything else keeps the token
    assert other.get("/api/v1/invoices/").status_code == 200


def test_token_expires_after_its_lifetime_with_a_clear_401(cs_user, settings):
    from datetime import timedelta

    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    settings.API_TOKEN_LIFETIME_DAYS = 30
    client = _token_client(cs_user)
    Token.objects.filter(user=cs_user).update(created=timezone.now() - timedelta(days=29))
    assert client.get("/api/v1/invoices/").status_code == 200
    Token.objects.filter(user=cs_user).update(created=timezone.now() - timedelta(days=30, minutes=1))
    response = client.get("/api/v1/invoices/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401 and "expired" in response.json()["detail"]
    assert "30" in response.json()["detail"]
    login = client.post("/api/v1/auth/token/", {"username": "cs", "password": "pw-cs"}, format="json")
    assert login.status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token " + login.json()["token"])
    assert client.get("/api/v1/invoices/").status_code == 200


def test_password_spraying_from_one_address_is_throttled_across_usernames(api, settings, django_user_model):
    from ..conftest import make_user

    settings.AXES_IP_FAILURE_LIMIT = 8
    victim = make_user(django_user_model, "victim")
    statuses = [api.post("/api/v1/auth/token/", {"username": f"user{n}", "password": "Spring2026!"},
                         format="json").status_code for n in range(settings.AXES_IP_FAILURE_LIMIT)]
    assert statuses[:-1] == [400] * (settings.AXES_IP_FAILURE_LIMIT - 1) and statuses[-1] == 429
    # The address is locked even for a right password; another address is not.
    assert api.post("/api/v1/auth/token/", {"username": "victim", "password": "pw-victim"},
                    format="json").status_code == 429
    from rest_framework.test import APIClient

    assert APIClient(REMOTE_ADDR="10.0.0.9").post(
        "/api/v1/auth/token/", {"username": "victim", "password": "pw-victim"}, format="json").status_code == 200
    assert victim.pk


# --- scope: a communication without an incident ---


def test_communication_without_incident_is_visible_to_its_authors_team_and_the_customers_incident_teams(
        api_as, client, django_user_model):
    from incidents.services.communications import communication_log

    from .. import factories
    from ..access_helpers import build_world
    from ..incident_helpers import open_incident

    users, _objects, teams = build_world(django_user_model)
    buyer = factories.customer()
    comm = communication_log(actor=users["cs_a"], customer=buyer, channel="phone", direction="inbound",
                             subject="私下联系")

    def sees(role):
        listed = api_as(users[role]).get("/api/v1/communications/").json()["results"]
        detail = api_as(users[role]).get(f"/api/v1/communications/{comm.pk}/").status_code
        client.force_login(users[role])
        admin_page = client.get(f"/admin/incidents/communication/{comm.pk}/change/")
        admin_sees = admin_page.status_code == 200
        assert (comm.pk in [c["id"] for c in listed]) == (detail == 200) == admin_sees, role
        return detail == 200

    assert sees("cs_a") and sees("manager")
    assert not sees("cs_b")
    open_incident(users["cs_b"], customer=buyer, team=teams["B"])
    assert sees("cs_b")


# --- Content-Security-Policy: the admin and the API docs work under it (no inline script) ---


def test_csp_header_and_admin_pages_without_inline_scripts(client, django_user_model, settings):
    from ..csp_helpers import ADMIN_PAGES, inline_script_problems

    settings.CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'"
    login = client.get("/admin/login/")
    assert login["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    assert inline_script_problems(login.content.decode()) == []
    client.force_login(django_user_model.objects.create_superuser("root", password="pw-root"))
    for url in ADMIN_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Content-Security-Policy" in response, url
        assert inline_script_problems(response.content.decode()) == [], url


def test_redelivery_to_an_address_not_recorded_on_the_customer_is_refused(cs_user, finance_user):
    from django.core.exceptions import ValidationError

    from invoices.ledger.services.customers import customer_update
    from invoices.reissue.services.redeliver import invoice_redeliver

    from .. import factories

    invoice = factories.invoice(buyer=factories.customer(email="buyer@example.cn"))
    with pytest.raises(ValidationError) as exc:
        invoice_redeliver(invoice=invoice, actor=cs_user, email="attacker@evil.example")
    assert "attacker@evil.example" in exc.value.message_dict["email"][0]
    assert not invoice.events.filter(kind="redelivered").exists()
    customer_update(customer=invoice.buyer, actor=finance_user, email="attacker@evil.example")
    invoice_redeliver(invoice=invoice, actor=cs_user, email="Attacker@evil.example")
    assert invoice.events.filter(kind="redelivered").exists()


@pytest.mark.parametrize("field,value", [("code", "㍱" * 12), ("number", "㍱" * 20)])
def test_invoice_text_that_nfkc_expands_past_its_column_is_a_400(api_as, finance_user, seller, customer, field,
                                                                 value):
    from invoices.ledger.models import Invoice

    response = _issue(api_as(finance_user), seller, customer, **{field: value})
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not Invoice.objects.exists()


def test_seller_name_in_the_admin_loses_bidi_controls_and_needs_a_visible_character(client, django_user_model):
    from invoices.ledger.models import Seller

    from .. import factories

    client.force_login(django_user_model.objects.create_superuser("root", password="pw-root"))
    data = {"name": "\u200b\u200b", "tax_id": factories.uscc(), "region": "北京", "region_code": "11"}
    response = client.post("/admin/invoices/seller/add/", data)
    assert response.status_code == 200 and not Seller.objects.exists()
    response = client.post("/admin/invoices/seller/add/", {**data, "name": "北京\u202e销售方"})
    assert response.status_code == 302
    assert Seller.objects.get().name == "北京销售方"


def test_messages_speak_chinese_by_default(api_as, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="pw-root")
    response = api_as(root).post("/api/v1/invoices/", "[" * 100 + "]" * 100, content_type="application/json",
                                 HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400 and "嵌套超过 32 层" in response.json()["detail"]
