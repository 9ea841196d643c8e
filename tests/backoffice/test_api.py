import pytest
from django.urls import reverse

from invoices.ledger.models import Customer, Invoice, InvoiceLine

from .. import factories

pytestmark = pytest.mark.django_db


def issue_body(seller_obj, customer_obj, **over):
    body = {
        "kind": "digital_general", "seller": seller_obj.pk, "buyer": customer_obj.pk,
        "lines": [{"name": "*信息技术服务*软件维护服务", "amount": "100.00", "tax_rate": "0.13", "quantity": "2",
                   "unit_price": "50.0000000000001", "tax_code": factories.SOFTWARE_MAINTENANCE_CODE}],
    }
    body.update(over)
    return body


def test_token_login_and_token_auth(api, cs_user):
    response = api.post("/api/v1/auth/token/", {"username": "cs", "password": "pw-cs"}, format="json")
    assert response.status_code == 200
    api.credentials(HTTP_AUTHORIZATION="Token " + response.json()["token"])
    assert api.get("/api/v1/invoices/").status_code == 200
    assert api.post("/api/v1/auth/token/", {"username": "cs", "password": "wrong"}, format="json").status_code == 400


def test_anonymous_gets_401(api):
    assert api.get("/api/v1/invoices/").status_code == 401


def test_groupless_user_gets_403(api_as, django_user_model):
    client = api_as(django_user_model.objects.create_user("nobody"))
    assert client.get("/api/v1/invoices/").status_code == 403


def test_finance_issues_invoice_money_as_strings(api_as, finance_user, seller, customer):
    response = api_as(finance_user).post("/api/v1/invoices/", issue_body(seller, customer), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["total"] == "113.00" and data["tax_amount"] == "13.00"
    assert data["lines"][0]["tax_rate"] == "0.1300" and data["lines"][0]["unit_price"] == "50.0000000000001"
    assert len(data["number"]) == 20 and isinstance(data["number"], str)


@pytest.mark.parametrize("role", ["cs", "manager"])
def test_cs_and_manager_cannot_issue(api_as, django_user_model, seller, customer, role):
    from ..conftest import ROLE_GROUPS, make_user

    user = make_user(django_user_model, role, ROLE_GROUPS[role])
    response = api_as(user).post("/api/v1/invoices/", issue_body(seller, customer), format="json")
    assert response.status_code == 403
    assert not Invoice.objects.exists()


def test_bad_invoice_answers_400_naming_field_and_rule(api_as, finance_user, seller, customer):
    body = issue_body(seller, customer, number="2.6112E+19",
                      lines=[{"name": "x", "amount": "100.00", "tax_rate": "0.13", "tax_amount": "20.00"}])
    response = api_as(finance_user).post("/api/v1/invoices/", body, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert "number" in errors and "lines.1.tax_amount" in errors
    assert not Invoice.objects.exists() and not InvoiceLine.objects.exists()


@pytest.mark.parametrize("body_patch,field", [
    ({"lines": []}, "lines"), ({"kind": "paper"}, "kind"), ({"seller": 999999}, "seller"),
    ({"lines": [{"name": "x", "amount": "abc", "tax_rate": "0.13"}]}, "lines"),
])
def test_shape_errors_are_400(api_as, finance_user, seller, customer, body_patch, field):
    response = api_as(finance_user).post("/api/v1/invoices/", issue_body(seller, customer, **body_patch), format="json")
    assert response.status_code == 400 and field in response.json()


def test_list_filters(api_as, cs_user, seller):
    buyer = factories.customer()
    mine = factories.invoice(seller_obj=seller, buyer=buyer)
    factories.invoice(seller_obj=seller)
    client = api_as(cs_user)
    by_number = client.get("/api/v1/invoices/", {"number": mine.number}).json()["results"]
    assert [r["id"] for r in by_number] == [mine.pk]
    by_tax = client.get("/api/v1/invoices/", {"buyer_tax_id": buyer.tax_id.lower()}).json()["results"]
    assert [r["id"] for r in by_tax] == [mine.pk]
    assert client.get("/api/v1/invoices/", {"sync_status": "failed"}).json()["results"] == []
    after = client.get("/api/v1/invoices/", {"issued_after": mine.issued_at.isoformat()}).json()["results"]
    assert mine.pk in [r["id"] for r in after]
    assert client.get("/api/v1/invoices/", {"status": "bogus"}).status_code == 400
    assert client.get("/api/v1/invoices/", {"issued_after": "yesterday"}).status_code == 400


def test_cursor_pagination_walks_every_invoice_once(api_as, cs_user, seller, customer):
    ids = {factories.invoice(seller_obj=seller, buyer=customer).pk for _ in range(7)}
    client, seen, url = api_as(cs_user), [], "/api/v1/invoices/?page_size=3"
    while url:
        page = client.get(url).json()
        assert "count" not in page
        seen += [r["id"] for r in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(ids) and len(seen) == 7


def test_retrieve_has_lines(api_as, manager_user, invoice):
    data = api_as(manager_user).get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert data["lines"][0]["amount"] == "100.00" and data["number"] == invoice.number


def test_customer_create_update_and_rules(api_as, cs_user, manager_user):
    client = api_as(cs_user)
    response = client.post("/api/v1/customers/", {"name": "北京甲", "tax_id": "９１１１００００６０００３７３４１ｌ"}, format="json")
    assert response.status_code == 201 and response.json()["tax_id"] == "91110000600037341L"
    pk = response.json()["id"]
    dup = client.post("/api/v1/customers/", {"name": "北京乙", "tax_id": "91110000600037341L"}, format="json")
    assert dup.status_code == 400 and "tax_id" in dup.json()
    bad = client.patch(f"/api/v1/customers/{pk}/", {"tax_id": "123"}, format="json")
    assert bad.status_code == 400 and "tax_id" in bad.json()
    assert client.patch(f"/api/v1/customers/{pk}/", {"mobile": "138 0000 0000"}, format="json").json()["mobile"] == "13800000000"
    manager = api_as(manager_user)
    assert manager.get(f"/api/v1/customers/{pk}/").status_code == 200
    assert manager.patch(f"/api/v1/customers/{pk}/", {"name": "x"}, format="json").status_code == 403
    assert manager.post("/api/v1/customers/", {"name": "x"}, format="json").status_code == 403
    assert Customer.objects.count() == 1


def test_schema_and_docs_served_offline(client, cs_user):
    client.force_login(cs_user)
    assert client.get(reverse("schema")).status_code == 200
    docs = client.get(reverse("api-docs")).content.decode()
    assert "swagger-ui" in docs and "cdn" not in docs.lower()
