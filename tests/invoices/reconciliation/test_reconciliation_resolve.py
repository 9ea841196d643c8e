"""Resolving discrepancies (services, admin actions) and the reconciliation API with its permissions."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from invoices.ledger.models import Invoice, InvoiceEvent, SyncStatus
from invoices.platform.export_writer import invoice_row
from invoices.reconciliation.models import Discrepancy, DiscrepancyKind, Resolution
from invoices.reconciliation.pipeline.runner import execute
from invoices.reconciliation.services.discrepancies import (
    discrepancy_ignore,
    discrepancy_manual_entry,
    discrepancy_mark_missing,
    discrepancy_resync,
)
from invoices.reconciliation.services.runs import reconciliation_start
from invoices.signals import invoice_verify_failed

from ...recon_helpers import PERIOD, ledger, rows_for, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def finished_run(seller, customer, finance_user):
    invoices = ledger(seller, customer, n=3)
    extra = invoice_row(invoices[0], digital_number="26112000000077777777", amount="200.00", tax_amount="12.00",
                        total="212.00")
    run = reconciliation_start(actor=finance_user, seller=seller, period_start=PERIOD[0], period_end=PERIOD[1],
                               file=upload(rows_for(invoices[:2]) + [extra]))
    execute(run.pk)
    run.refresh_from_db()
    return run


def one(run, kind):
    return Discrepancy.objects.get(run=run, kind=kind)


def test_mark_missing_sets_status_writes_event_and_signals_on_commit(finished_run, finance_user,
                                                                      django_capture_on_commit_callbacks):
    item = one(finished_run, DiscrepancyKind.MISSING_ON_PLATFORM)
    received = []

    def receiver(**kwargs):
        received.append(kwargs)

    invoice_verify_failed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            discrepancy_mark_missing(discrepancy=item, actor=finance_user)
    finally:
        invoice_verify_failed.disconnect(receiver)
    item.refresh_from_db()
    assert item.resolution == Resolution.MARKED_MISSING and item.resolved_by == finance_user and item.resolved_at
    assert Invoice.objects.get(pk=item.invoice_id).sync_status == SyncStatus.MISSING
    assert received[0]["invoice_id"] == item.invoice_id and received[0]["outcome"] == "missing"
    assert received[0]["detail"] == {"source": "reconciliation", "run_id": finished_run.pk, "discrepancy_id": item.pk}
    event = InvoiceEvent.objects.filter(invoice_id=item.invoice_id).order_by("-id").first()
    assert event.actor == finance_user and event.data["discrepancy_id"] == item.pk
    with pytest.raises(ValidationError):
        discrepancy_mark_missing(discrepancy=item, actor=finance_user)


def test_manual_entry_issues_through_the_service(finished_run, finance_user):
    item = one(finished_run, DiscrepancyKind.MISSING_IN_LEDGER)
    discrepancy_manual_entry(discrepancy=item, actor=finance_user)
    item.refresh_from_db()
    invoice = Invoice.objects.get(number="26112000000077777777")
    assert item.resolution == Resolution.MANUAL_ENTRY and item.invoice_id == invoice.pk
    assert str(invoice.total) == "212.00" and invoice.lines.get().tax_rate * 100 == 6
    assert invoice.sync_status == SyncStatus.SYNCED
    assert set(invoice.events.values_list("kind", flat=True)) == {"issued", "reconciled"}


def test_manual_entry_refuses_amounts_no_rate_fits(finished_run, finance_user):
    item = one(finished_run, DiscrepancyKind.MISSING_IN_LEDGER)
    item.platform_data = {**item.platform_data, "tax_amount": "77.00"}
    item.save(update_fields=["platform_data"])
    with pytest.raises(ValidationError) as exc:
        discrepancy_manual_entry(discrepancy=item, actor=finance_user)
    assert "tax_rate" in exc.value.message_dict
    assert not Invoice.objects.filter(number="26112000000077777777").exists()


def test_ignore_needs_a_reason(finished_run, finance_user):
    item = one(finished_run, DiscrepancyKind.MISSING_IN_LEDGER)
    with pytest.raises(ValidationError):
        discrepancy_ignore(discrepancy=item, actor=finance_user, reason=" ")
    discrepancy_ignore(discrepancy=item, actor=finance_user, reason="测试数据")
    item.refresh_from_db()
    assert item.resolution == Resolution.IGNORED and item.resolution_note == "测试数据"


def test_resync_queues_the_sync(finished_run, finance_user, django_capture_on_commit_callbacks):
    item = one(finished_run, DiscrepancyKind.MISSING_ON_PLATFORM)
    with django_capture_on_commit_callbacks(execute=True):
        discrepancy_resync(discrepancy=item, actor=finance_user)
    item.refresh_from_db()
    assert item.resolution == Resolution.RESYNC
    assert InvoiceEvent.objects.filter(invoice_id=item.invoice_id, data__discrepancy_id=item.pk).exists()


def test_admin_actions_need_reconcile_permission(client, finished_run, finance_user, manager_user):
    item = one(finished_run, DiscrepancyKind.MISSING_IN_LEDGER)
    url = reverse("admin:invoices_discrepancy_changelist")
    client.force_login(manager_user)
    assert client.get(url).status_code == 200
    client.post(url, {"action": "ignore", "_selected_action": [item.pk], "apply": "1", "reason": "x"})
    item.refresh_from_db()
    assert item.resolution == Resolution.OPEN
    client.force_login(finance_user)
    page = client.post(url, {"action": "ignore", "_selected_action": [item.pk]})
    assert page.status_code == 200 and b"reason" in page.content
    client.post(url, {"action": "ignore", "_selected_action": [item.pk], "apply": "1", "reason": "重复导出"})
    item.refresh_from_db()
    assert item.resolution == Resolution.IGNORED and item.resolved_by == finance_user


def test_admin_upload_and_run_page(client, seller, customer, finance_user, cs_user,
                                   django_capture_on_commit_callbacks):
    invoices = ledger(seller, customer, n=2)
    add = reverse("admin:invoices_reconciliationrun_add")
    client.force_login(cs_user)
    assert client.get(add).status_code == 403
    client.force_login(finance_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(add, {"seller": seller.pk, "period_start": "2026-10-01", "period_end": "2026-10-31",
                                     "file": upload(rows_for(invoices[:1]))})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200 and "1".encode() in page.content
    run = page.context["original"]
    assert run.count_missing_on_platform == 1


def test_api_upload_returns_202_and_lists_discrepancies(api_as, seller, customer, finance_user,
                                                        django_capture_on_commit_callbacks):
    invoices = ledger(seller, customer, n=3)
    client = api_as(finance_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/reconciliations/", {
            "file": upload(rows_for(invoices[:2]), "xlsx"), "seller": seller.pk,
            "period_start": "2026-10-01", "period_end": "2026-10-31"}, format="multipart")
    assert response.status_code == 202, response.content
    run_id = response.data["id"]
    detail = client.get(f"/api/v1/reconciliations/{run_id}/")
    assert detail.status_code == 200 and detail.data["status"] == "done"
    assert detail.data["counts"]["missing_on_platform"] == 1
    items = client.get(f"/api/v1/reconciliations/{run_id}/discrepancies/")
    assert items.status_code == 200
    assert [d["kind"] for d in items.data["results"]] == ["missing_on_platform"]


def test_api_validation_and_permissions(api_as, seller, cs_user, finance_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {"file": SimpleUploadedFile("a.csv", b"x,y\n1,2\n"), "seller": seller.pk,
            "period_start": "2026-10-01", "period_end": "2026-10-31"}
    assert api_as(cs_user).post("/api/v1/reconciliations/", data, format="multipart").status_code == 403
    assert api_as(cs_user).get("/api/v1/reconciliations/").status_code == 403
    data["file"] = SimpleUploadedFile("a.csv", b"x,y\n1,2\n")
    bad = api_as(finance_user).post("/api/v1/reconciliations/", data, format="multipart")
    assert bad.status_code == 400 and "file" in bad.data
