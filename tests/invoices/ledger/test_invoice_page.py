"""The invoice page (issue 15): its reissue requests and incidents with links, and the next step that fits its
state and the user's role."""
import pytest
from django.urls import reverse

from invoices.ledger.models import SyncStatus

from ... import factories
from ...incident_helpers import open_incident
from ...reissue_helpers import blue, request_full

pytestmark = pytest.mark.django_db


def page_of(client, user, invoice):
    client.force_login(user)
    return client.get(reverse("admin:invoices_invoice_change", args=[invoice.pk]))


def test_the_page_lists_its_reissue_requests_with_links(client, seller, customer, finance_user, finance_user2):
    original = blue(seller, customer, "1000.00")
    req = request_full(original, finance_user)
    response = page_of(client, finance_user2, original)
    tables = {table["id"]: table for table in response.context["readonly_tables"]}
    assert len(tables["reissuerequest-table"]["rows"]) == 1
    assert reverse("admin:invoices_reissuerequest_change", args=[req.pk]) in response.content.decode()
    steps = [step.label for step in response.context["next_steps"]]
    assert "Open the reissue request" in steps or "打开重开申请" in steps


def test_the_page_lists_its_incidents_and_offers_the_open_one(client, invoice, cs_user):
    incident = open_incident(actor=cs_user, invoices=[invoice], customer=invoice.buyer)
    response = page_of(client, cs_user, invoice)
    page = response.content.decode()
    assert incident.reference in page
    assert reverse("admin:incidents_incident_change", args=[incident.pk]) in page
    assert [s.url for s in response.context["next_steps"] if s.url.startswith("/admin/incidents/")] == [
        reverse("admin:incidents_incident_change", args=[incident.pk])]


def test_without_an_incident_the_rep_is_offered_to_create_one_for_this_invoice(client, invoice, cs_user):
    steps = page_of(client, cs_user, invoice).context["next_steps"]
    assert reverse("admin:incidents_incident_add") + f"?invoice={invoice.pk}" in [s.url for s in steps]


@pytest.mark.parametrize("state, role, action", [
    (SyncStatus.FAILED, "finance", "sync"), (SyncStatus.NOT_SENT, "finance", "sync"),
    (SyncStatus.MISSING, "finance", "sync"), (SyncStatus.FAILED, "cs", "verify"),
    (SyncStatus.PENDING, "cs", "verify"), (SyncStatus.SYNCED, "cs", "verify"),
])
def test_the_next_step_fits_the_sync_state_and_the_role(client, seller, customer, state, role, action,
                                                         cs_user, finance_user):
    invoice = factories.invoice(seller_obj=seller, buyer=customer)
    type(invoice).objects.filter(pk=invoice.pk).update(sync_status=state)
    user = {"cs": cs_user, "finance": finance_user}[role]
    steps = page_of(client, user, invoice).context["next_steps"]
    assert action in [s.action for s in steps]


def test_a_mismatch_offers_finance_the_reissue(client, seller, customer, finance_user):
    invoice = blue(seller, customer, "500.00")
    type(invoice).objects.filter(pk=invoice.pk).update(sync_status=SyncStatus.MISMATCH)
    steps = page_of(client, finance_user, invoice).context["next_steps"]
    assert reverse("admin:invoices_invoice_reissue", args=[invoice.pk]) in [s.url for s in steps]


def test_the_issue_form_skips_extra_rows_the_browser_posts_with_the_default_rate(client, finance_user, seller,
                                                                                  customer):
    client.force_login(finance_user)
    data = {"kind": "digital_general", "seller": seller.pk, "buyer": customer.pk, "code": "", "number": "",
            "issued_at": "", "drawer": "李娜", "remarks": "", "lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0",
            "lines-0-name": "*信息技术服务*软件维护服务", "lines-0-amount": "100.00", "lines-0-tax_rate": "0.06",
            "lines-0-tax_code": factories.SOFTWARE_MAINTENANCE_CODE,
            "lines-1-tax_rate": "0.13", "lines-2-tax_rate": "0.13"}
    response = client.post(reverse("admin:invoices_invoice_add"), data)
    assert response.status_code == 302


def test_the_next_step_buttons_are_not_nested_in_the_page_form(client, seller, customer, finance_user):
    # A <form> inside the change form is dropped by the browser: the button would post the change form (403).
    invoice = factories.invoice(seller_obj=seller, buyer=customer)
    type(invoice).objects.filter(pk=invoice.pk).update(sync_status=SyncStatus.FAILED)
    page = page_of(client, finance_user, invoice).content.decode()
    steps = page.index("next-steps")
    main_form = page.rindex("<form", 0, page.index('id="invoice_form"'))
    assert steps < main_form and page.count("<form", steps, main_form) == page.count("</form>", steps, main_form)


@pytest.mark.parametrize("state, role, offered", [
    (SyncStatus.FAILED, "cs", ["verify", "create_incident"]),
    (SyncStatus.FAILED, "finance", ["sync", "verify"]),
    (SyncStatus.SYNCED, "finance", ["sync", "verify", "reissue"]),
    (SyncStatus.MISMATCH, "finance", ["sync", "verify", "reissue"]),
])
def test_each_action_is_on_the_invoice_page_once(client, seller, customer, cs_user, finance_user, state, role,
                                                 offered):
    """The next-step panel offers what the state calls for; the bar above it does not offer it a second time."""
    invoice = blue(seller, customer, "300.00")
    type(invoice).objects.filter(pk=invoice.pk).update(sync_status=state)
    user = {"cs": cs_user, "finance": finance_user}[role]
    if role == "finance":
        from django.contrib.auth.models import Permission  # the finance group may not add incidents: allow it here

        user.user_permissions.add(Permission.objects.get(codename="add_incident"))
        offered = [*offered, "create_incident"]
    page = page_of(client, user, invoice).content.decode()
    urls = {
        "verify": f'action="{reverse("admin:invoices_invoice_verify", args=[invoice.pk])}"',
        "sync": f'action="{reverse("admin:invoices_invoice_sync", args=[invoice.pk])}"',
        "reissue": f'href="{reverse("admin:invoices_invoice_reissue", args=[invoice.pk])}"',
        "create_incident": f'href="{reverse("admin:incidents_incident_add")}?invoice={invoice.pk}"',
    }
    assert {key: page.count(urls[key]) for key in offered} == {key: 1 for key in offered}
