"""The ways to start a platform check (API, admin 立即核对, manage.py platform_check), with the simulated platform
in-process; every job runs when its transaction commits (the test settings' sync cluster)."""
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident
from invoices.ledger.models import SyncStatus
from invoices.platform.models import PlatformInvoice
from invoices.reconciliation.models import CheckOrigin, PlatformCheck, RunStatus
from invoices.reconciliation.services.platform_check import platform_check_start

from ... import factories
from ...files_helpers import on_platform

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def vanished_invoice(seller):
    invoice = factories.invoice(seller_obj=seller, sync_status=SyncStatus.SYNCED)
    on_platform(invoice)
    kept = factories.invoice(seller_obj=seller, sync_status=SyncStatus.SYNCED)
    on_platform(kept)
    PlatformInvoice.objects.filter(number=invoice.number).delete()
    return invoice


def test_the_api_queues_a_check_and_reads_it_back(api_as, finance_user, cs_user, manager_user):
    seller = factories.seller()
    vanished_invoice(seller)
    today = timezone.localdate().isoformat()
    body = {"seller": seller.tax_id, "issued_from": today, "issued_to": today}
    assert api_as(cs_user).post("/api/v1/platform-checks/", body, format="json").status_code == 403
    assert api_as(manager_user).post("/api/v1/platform-checks/", body, format="json").status_code == 403
    answer = api_as(finance_user).post("/api/v1/platform-checks/", body, format="json")
    assert answer.status_code == 202 and set(answer.json()) == {"id"}
    check = api_as(manager_user).get(f"/api/v1/platform-checks/{answer.json()['id']}/").json()
    assert {k: check[k] for k in ("status", "seller", "issued_from", "issued_to", "error")} == {
        "status": "done", "seller": seller.tax_id, "issued_from": today, "issued_to": today, "error": ""}
    assert check["counts"]["missing_on_platform"] == 1 and check["incident"].startswith("INC-")
    assert PlatformCheck.objects.get().started_by == finance_user

    bad = api_as(finance_user).post("/api/v1/platform-checks/", {**body, "issued_from": "2026-02-30"}, format="json")
    assert bad.status_code == 400 and "issued_from" in bad.json()
    unknown = api_as(finance_user).post("/api/v1/platform-checks/", {**body, "seller": "X"}, format="json")
    assert unknown.status_code == 400 and "seller" in unknown.json()


def test_a_second_check_over_the_api_while_one_is_queued_is_a_409(api_as, finance_user):
    seller = factories.seller()
    today = timezone.localdate()
    PlatformCheck.objects.create(seller=seller, issued_from=today, issued_to=today)
    body = {"seller": seller.tax_id, "issued_from": today.isoformat(), "issued_to": today.isoformat()}
    answer = api_as(finance_user).post("/api/v1/platform-checks/", body, format="json",
                                       HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 409 and "already queued or running" in answer.json()["detail"]
    zh = api_as(finance_user).post("/api/v1/platform-checks/", body, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert zh.status_code == 409 and "已在排队或进行中" in zh.json()["detail"]


def test_the_admin_list_has_a_check_now_button_for_finance(client, finance_user, manager_user):
    seller = factories.seller()
    vanished_invoice(seller)
    url = reverse("admin:invoices_platformcheck_changelist")
    client.force_login(manager_user)
    assert client.get(url).status_code == 200
    assert "立即核对" not in client.get(url).content.decode()
    assert client.get(reverse("admin:invoices_platformcheck_add")).status_code == 403
    client.force_login(finance_user)
    page = client.get(url).content.decode()
    assert "立即核对" in page and "平台核对" in page
    today = timezone.localdate().isoformat()
    answer = client.post(reverse("admin:invoices_platformcheck_add"),
                         {"seller": seller.pk, "issued_from": today, "issued_to": today})
    check = PlatformCheck.objects.get()
    assert answer.status_code == 302 and check.status == RunStatus.DONE
    detail = client.get(reverse("admin:invoices_platformcheck_change", args=[check.pk])).content.decode()
    assert "已标记缺失并重新上传" in detail and check.incident_number in detail


def test_the_command_checks_one_seller_and_period():
    seller = factories.seller()
    vanished_invoice(seller)
    today = timezone.localdate().isoformat()
    out = StringIO()
    call_command("platform_check", "--seller", seller.tax_id, "--from", today, "--to", today, stdout=out)
    check = PlatformCheck.objects.get()
    assert check.origin == CheckOrigin.COMMAND and check.status == RunStatus.DONE
    assert "missing_on_platform 1" in out.getvalue() and check.incident_number in out.getvalue()
    with pytest.raises(CommandError, match="--seller"):
        call_command("platform_check", "--seller", "NOSUCH", "--from", today, "--to", today)
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("platform_check", "--seller", seller.tax_id, "--from", "1.1.2026", "--to", today)


def test_the_dashboard_shows_the_share_found_before_the_customer_and_the_mttd(client, manager_user):
    from incidents.models import IncidentCategory
    from incidents.reporting.metrics import Metrics
    from incidents.reporting.periods import parse_period

    seller = factories.seller()
    today = timezone.localdate()
    good = platform_check_start(seller=seller, issued_from=today, issued_to=today)  # nothing to find yet
    vanished = vanished_invoice(seller)
    check = platform_check_start(seller=seller, issued_from=today, issued_to=today)
    check.refresh_from_db()
    good.refresh_from_db()
    incident = Incident.objects.get(reference=check.incident_number)
    assert incident.fault_started_at == good.finished_at and vanished.pk in incident.invoices.values_list("pk", flat=True)
    # A customer's call about another invoice: an invoice incident the checks did not find first.
    factories.incident(customer=factories.customer(), category=IncidentCategory.INVOICE_MISSING)
    found = Metrics(period=parse_period("30")).found_by_check()
    assert (found["found"], found["total"], found["measured"]) == (1, 2, 1) and found["mttd"] >= 0
    client.force_login(manager_user)
    page = client.get(reverse("admin:incidents_dashboard")).content.decode()
    assert "平台核对在客户来电前发现的发票事件" in page and "50%" in page


def test_the_demo_includes_a_check_that_found_vanished_invoices():
    call_command("seed_demo", invoices=40, customers=12, stdout=StringIO())
    checks = list(PlatformCheck.objects.order_by("created_at"))
    assert [c.status for c in checks] == [RunStatus.DONE, RunStatus.DONE]
    assert checks[0].counts["missing_on_platform"] == 0 and checks[1].counts["missing_on_platform"] == 2
    incident = Incident.objects.get(reference=checks[1].incident_number)
    assert incident.invoices.count() == 2 and incident.fault_started_at == checks[0].finished_at
