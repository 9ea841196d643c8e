"""Each ModelAdmin's list/add/change pages, per role."""
import pytest
from django.urls import reverse

from invoices.ledger.models import Invoice
from tests.factories import SOFTWARE_MAINTENANCE_CODE

pytestmark = pytest.mark.django_db

# (url name, needs object, {role: expected status})
PAGES = [
    ("admin:invoices_invoice_changelist", False, {"cs": 200, "finance": 200, "manager": 200}),
    ("admin:invoices_invoice_add", False, {"cs": 403, "finance": 200, "manager": 403}),
    ("admin:invoices_invoice_change", True, {"cs": 200, "finance": 200, "manager": 200}),
    ("admin:invoices_invoice_delete", True, {"cs": 403, "finance": 403, "manager": 403}),
    ("admin:invoices_customer_changelist", False, {"cs": 200, "finance": 200, "manager": 200}),
    ("admin:invoices_customer_add", False, {"cs": 200, "finance": 200, "manager": 403}),
    ("admin:invoices_customer_change", True, {"cs": 200, "finance": 200, "manager": 200}),
    ("admin:invoices_customer_delete", True, {"cs": 403, "finance": 403, "manager": 403}),
    ("admin:invoices_seller_changelist", False, {"cs": 200, "finance": 200, "manager": 200}),
    ("admin:invoices_seller_add", False, {"cs": 403, "finance": 403, "manager": 403}),
]


def _url(name, needs_obj, invoice):
    if not needs_obj:
        return reverse(name)
    obj = invoice if "invoice_" in name else invoice.buyer
    return reverse(name, args=[obj.pk])


@pytest.mark.parametrize("role_user", ["cs", "finance", "manager"], indirect=True)
@pytest.mark.parametrize("name,needs_obj,expected", PAGES)
def test_admin_pages_per_role(client, role_user, invoice, name, needs_obj, expected):
    client.force_login(role_user)
    response = client.get(_url(name, needs_obj, invoice))
    assert response.status_code == expected[role_user.username]


def test_anonymous_is_sent_to_login_and_groupless_staff_gets_403(client, django_user_model, invoice):
    url = reverse("admin:invoices_invoice_changelist")
    assert client.get(url).status_code == 302
    client.force_login(django_user_model.objects.create_user("nobody", is_staff=True))
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("role_user", ["cs", "finance", "manager"], indirect=True)
def test_invoice_page_is_read_only_for_everyone(client, role_user, invoice):
    client.force_login(role_user)
    url = reverse("admin:invoices_invoice_change", args=[invoice.pk])
    page = client.get(url).content.decode()
    assert 'name="buyer_name"' not in page and invoice.buyer_name in page
    assert client.post(url, {"buyer_name": "changed"}).status_code == 403
    invoice.refresh_from_db()
    assert invoice.buyer_name != "changed"


def test_manager_cannot_change_a_customer(client, manager_user, customer):
    client.force_login(manager_user)
    url = reverse("admin:invoices_customer_change", args=[customer.pk])
    assert client.post(url, {"name": "x"}).status_code == 403


def test_menu_shows_only_what_the_role_may_use(client, cs_user, finance_user, invoice):
    client.force_login(cs_user)
    changelist = client.get(reverse("admin:invoices_invoice_changelist")).content.decode()
    assert reverse("admin:invoices_invoice_add") not in changelist
    client.force_login(finance_user)
    changelist = client.get(reverse("admin:invoices_invoice_changelist")).content.decode()
    assert reverse("admin:invoices_invoice_add") in changelist


def test_admin_speaks_chinese_by_default_and_english_on_request(client, cs_user, invoice):
    client.force_login(cs_user)
    url = reverse("admin:invoices_invoice_changelist")
    assert "发票" in client.get(url).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": url})
    page = client.get(url).content.decode()
    assert "Select invoice to view" in page


def _issue_post(seller, customer, **line):
    data = {
        "kind": "digital_general", "seller": seller.pk, "buyer": customer.pk, "code": "", "number": "",
        "issued_at": "", "drawer": "李娜", "remarks": "",
        "lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "1", "lines-MAX_NUM_FORMS": "1000",
        "lines-0-name": "*信息技术服务*软件维护服务", "lines-0-amount": "100.00", "lines-0-tax_rate": "0.13",
        "lines-0-tax_code": SOFTWARE_MAINTENANCE_CODE,
    }
    data.update({f"lines-0-{k}": v for k, v in line.items()})
    return data


def test_finance_issues_an_invoice_from_the_admin(client, finance_user, seller, customer):
    client.force_login(finance_user)
    response = client.post(reverse("admin:invoices_invoice_add"), _issue_post(seller, customer))
    invoice = Invoice.objects.get()
    assert response.status_code == 302 and response.url == reverse("admin:invoices_invoice_change", args=[invoice.pk])
    assert invoice.total == 113 and invoice.events.get().actor == finance_user


def test_issue_form_shows_the_rule_and_writes_nothing(client, finance_user, seller, customer):
    client.force_login(finance_user)
    response = client.post(reverse("admin:invoices_invoice_add"), _issue_post(seller, customer, tax_amount="20.00"))
    assert response.status_code == 200
    assert "0.06" in response.content.decode()
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("term_of", [
    lambda inv: inv.number, lambda inv: inv.number[:12], lambda inv: inv.buyer_tax_id.lower(),
    lambda inv: inv.buyer_name[2:6],
])
def test_invoice_search(client, cs_user, invoice, term_of):
    from .. import factories

    other_seller = factories.seller(region="上海", region_code="31")
    factories.invoice(seller_obj=other_seller, buyer=factories.customer(name="上海无关贸易公司"))
    client.force_login(cs_user)
    response = client.get(reverse("admin:invoices_invoice_changelist"), {"q": term_of(invoice)})
    assert list(response.context["cl"].result_list) == [invoice]


def test_customer_admin_validates_through_the_service_rules(client, cs_user, customer):
    client.force_login(cs_user)
    response = client.post(reverse("admin:invoices_customer_add"), {"name": "重复公司", "tax_id": customer.tax_id.lower()})
    assert response.status_code == 200
    assert customer.tax_id in response.context["adminform"].form.errors["tax_id"][0]
    response = client.post(reverse("admin:invoices_customer_add"), {"name": "新公司", "tax_id": "９１１１００００６０００３７３４１Ｌ"})
    assert response.status_code == 302
    from invoices.ledger.models import Customer

    assert Customer.objects.get(name="新公司").tax_id == "91110000600037341L"
