"""Sync through the API and the admin, with the same permission (invoices.sync_invoice) in both."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from invoices.ledger.models import SyncStatus
from invoices.platform.models import PlatformInvoice, PlatformSettings
from invoices.platform.simulator import sim_settings_row

from ... import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed_invoice(seller, customer):
    return factories.invoice(seller_obj=seller, buyer=customer, sync_status=SyncStatus.FAILED)


def test_api_sync_answers_202_and_queues(api_as, finance_user, failed_invoice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(finance_user).post(f"/api/v1/invoices/{failed_invoice.pk}/sync/", {"reason": "客户来电"},
                                              format="json")
    assert response.status_code == 202, response.content
    assert response.json()["sync_status"] == SyncStatus.PENDING  # as answered, before the task ran
    failed_invoice.refresh_from_db()
    assert failed_invoice.sync_status == SyncStatus.SYNCED
    attempts = api_as(finance_user).get(f"/api/v1/invoices/{failed_invoice.pk}/sync-attempts/").json()
    assert [a["outcome"] for a in attempts["results"]] == ["accepted"]


def test_api_sync_of_synced_invoice_is_400_unless_forced(api_as, finance_user, seller, customer):
    invoice = factories.invoice(seller_obj=seller, buyer=customer, sync_status=SyncStatus.SYNCED)
    client = api_as(finance_user)
    response = client.post(f"/api/v1/invoices/{invoice.pk}/sync/", {}, format="json")
    assert response.status_code == 400 and "sync_status" in response.json()
    assert client.post(f"/api/v1/invoices/{invoice.pk}/sync/", {"force": True}, format="json").status_code == 202


def test_api_verify_outcomes_and_503(api_as, finance_user, failed_invoice):
    client = api_as(finance_user)
    response = client.post(f"/api/v1/invoices/{failed_invoice.pk}/verify/")
    assert response.status_code == 200 and response.json()["outcome"] == "missing"
    row = sim_settings_row()
    row.outage = True
    row.save()
    response = client.post(f"/api/v1/invoices/{failed_invoice.pk}/verify/")
    assert response.status_code == 503 and response.json()["outcome"] == "unavailable"
    attempts = client.get(f"/api/v1/invoices/{failed_invoice.pk}/sync-attempts/").json()["results"]
    assert [a["outcome"] for a in attempts] == ["unavailable", "missing"]  # newest first


@pytest.mark.parametrize("role_user", ["cs", "manager"], indirect=True)
def test_api_sync_needs_sync_permission(api_as, role_user, failed_invoice):
    client = api_as(role_user)
    assert client.post(f"/api/v1/invoices/{failed_invoice.pk}/sync/").status_code == 403
    assert client.get(f"/api/v1/invoices/{failed_invoice.pk}/sync-attempts/").status_code == 200
    failed_invoice.refresh_from_db()
    assert failed_invoice.sync_status == SyncStatus.FAILED


@pytest.mark.parametrize("role_user,status", [("cs", 200), ("manager", 403), ("finance", 200)], indirect=["role_user"])
def test_verify_is_for_the_rep_on_the_phone_and_finance(api_as, role_user, status, failed_invoice):
    """The rep presses "verify" while the customer waits; managers only read."""
    response = api_as(role_user).post(f"/api/v1/invoices/{failed_invoice.pk}/verify/")
    assert response.status_code == status
    if status == 200:
        assert response.json()["outcome"] == "missing"


def test_admin_actions_and_buttons(client, finance_user, failed_invoice, seller, customer,
                                   django_capture_on_commit_callbacks):
    client.force_login(finance_user)
    changelist = reverse("admin:invoices_invoice_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(changelist, {"action": "resync_selected", "_selected_action": [failed_invoice.pk]})
    assert response.status_code == 302
    failed_invoice.refresh_from_db()
    assert failed_invoice.sync_status == SyncStatus.SYNCED

    page = client.get(reverse("admin:invoices_invoice_change", args=[failed_invoice.pk]))
    html = page.content.decode()
    assert reverse("admin:invoices_invoice_verify", args=[failed_invoice.pk]) in html
    assert reverse("admin:invoices_invoice_sync", args=[failed_invoice.pk]) in html
    assert "sync attempts" in html.lower() or "同步" in html

    PlatformInvoice.objects.all().delete()
    response = client.post(reverse("admin:invoices_invoice_verify", args=[failed_invoice.pk]))
    assert response.status_code == 302
    failed_invoice.refresh_from_db()
    assert failed_invoice.sync_status == SyncStatus.MISSING
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:invoices_invoice_sync", args=[failed_invoice.pk]))
    failed_invoice.refresh_from_db()
    assert failed_invoice.sync_status == SyncStatus.SYNCED

    response = client.post(changelist, {"action": "verify_selected", "_selected_action": [failed_invoice.pk]})
    assert response.status_code == 302


def test_admin_bulk_resync_page(client, finance_user, failed_invoice, django_capture_on_commit_callbacks):
    client.force_login(finance_user)
    url = reverse("admin:invoices_invoice_resync_bulk")
    response = client.post(reverse("admin:invoices_invoice_changelist"),
                           {"action": "bulk_resync_from_selection", "_selected_action": [failed_invoice.pk]})
    assert response.status_code == 302 and response["Location"].startswith(url)
    assert client.get(response["Location"]).status_code == 200
    since = timezone.localtime() - timedelta(days=1)
    data = {"since_0": since.strftime("%Y-%m-%d"), "since_1": since.strftime("%H:%M:%S"),
            "statuses": [SyncStatus.FAILED, SyncStatus.PENDING]}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    failed_invoice.refresh_from_db()
    assert failed_invoice.sync_status == SyncStatus.SYNCED
    future = timezone.localtime() + timedelta(days=1)
    response = client.post(url, {**data, "since_0": future.strftime("%Y-%m-%d")})
    assert response.status_code == 200 and response.context["form"].errors["since"]


def test_admin_sync_views_refuse_without_permission(client, cs_user, failed_invoice):
    client.force_login(cs_user)
    assert client.post(reverse("admin:invoices_invoice_sync", args=[failed_invoice.pk])).status_code == 403
    assert client.get(reverse("admin:invoices_invoice_resync_bulk")).status_code == 403
    page = client.get(reverse("admin:invoices_invoice_change", args=[failed_invoice.pk]))
    assert page.status_code == 200
    assert reverse("admin:invoices_invoice_sync", args=[failed_invoice.pk]) not in page.content.decode()
    response = client.post(reverse("admin:invoices_invoice_changelist"),
                           {"action": "resync_selected", "_selected_action": [failed_invoice.pk]})
    failed_invoice.refresh_from_db()
    assert failed_invoice.sync_status == SyncStatus.FAILED and response.status_code in (200, 302)


def test_simulator_settings_page_for_finance_not_cs(client, finance_user, cs_user):
    client.force_login(finance_user)
    response = client.get(reverse("admin:invoices_platformsettings_changelist"))
    assert response.status_code == 302
    change_url = response["Location"]
    assert client.get(change_url).status_code == 200
    response = client.post(change_url, {"outage": "on", "failure_rate": "0.5", "latency_ms": "0",
                                        "rejected_tax_ids": "", "outage_from_0": "", "outage_from_1": "",
                                        "outage_until_0": "", "outage_until_1": ""})
    assert response.status_code == 302, response.content
    row = PlatformSettings.objects.get()
    assert row.outage and str(row.failure_rate) == "0.50"
    bad = client.post(change_url, {"failure_rate": "1.5", "latency_ms": "0"})
    assert bad.status_code == 200 and bad.context["adminform"].form.errors["failure_rate"]
    client.force_login(cs_user)
    assert client.get(reverse("admin:invoices_platformsettings_changelist")).status_code == 403
