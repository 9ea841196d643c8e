"""A reconciliation run proposes; finance applies it (or reverts it as a whole): proposal counts, the wrong-file
gates, the export-time bound, atomicity, and the same permissions in the API and the admin."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from invoices.ledger.models import Invoice, InvoiceEvent, InvoiceEventKind, SyncStatus
from invoices.ledger.services.events import invoice_event_record
from invoices.platform.export_writer import invoice_row
from invoices.reconciliation.models import ProposedChange, ReconciliationRun, RunStatus
from invoices.reconciliation.pipeline.runner import execute
from invoices.reconciliation.services import apply as apply_module
from invoices.reconciliation.services.apply import reconciliation_apply, reconciliation_revert
from invoices.reconciliation.services.runs import reconciliation_start

from ... import factories
from ...recon_helpers import PERIOD, at, ledger, rows_for, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def run_file(seller, actor, rows, **kwargs):
    run = reconciliation_start(actor=actor, seller=seller, period_start=PERIOD[0], period_end=PERIOD[1],
                               file=upload(rows), **kwargs)
    execute(run.pk, chunk_rows=3)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    return run


def sync_statuses(seller):
    return dict(Invoice.objects.filter(seller=seller).values_list("id", "sync_status"))


@pytest.fixture
def mixed_run(seller, customer, finance_user):
    """8 pending invoices: 4 agree with the export, 3 differ, 1 is not in it."""
    invoices = ledger(seller, customer, n=8)
    rows = rows_for(invoices[:7])
    rows[1] = invoice_row(invoices[1], total="999.99")
    rows[2] = invoice_row(invoices[2], status="已红冲-全额")
    rows[3] = invoice_row(invoices[3], buyer_tax_id=factories.customer().tax_id)
    return run_file(seller, finance_user, rows), invoices


def test_proposal_counts_by_status_with_samples_and_nothing_written(mixed_run, seller):
    run, invoices = mixed_run
    changes = run.proposal["changes"]
    assert {status: changes[status]["count"] for status in changes} == {
        SyncStatus.SYNCED: 4, SyncStatus.MISMATCH: 3, SyncStatus.MISSING: 1}
    assert changes[SyncStatus.MISSING]["samples"] == [invoices[7].number]
    assert sorted(changes[SyncStatus.MISMATCH]["samples"]) == sorted(i.number for i in invoices[1:4])
    assert not run.wrong_file and run.proposal["warnings"] == []
    assert run.proposal["seller"] == {"name": seller.name, "tax_id": seller.tax_id}
    assert set(sync_statuses(seller).values()) == {SyncStatus.PENDING}
    assert not InvoiceEvent.objects.filter(invoice__seller=seller, kind=InvoiceEventKind.RECONCILED).exists()


def test_apply_then_revert_writes_events_and_history(mixed_run, seller, finance_user):
    run, invoices = mixed_run
    result = reconciliation_apply(run=run, actor=finance_user)
    assert result == {"applied": 8, "confirmed_later": 0, "unchanged": 0}
    statuses = sync_statuses(seller)
    assert statuses[invoices[0].pk] == SyncStatus.SYNCED and statuses[invoices[7].pk] == SyncStatus.MISSING
    assert statuses[invoices[1].pk] == SyncStatus.MISMATCH
    events = InvoiceEvent.objects.filter(invoice__seller=seller, kind=InvoiceEventKind.RECONCILED)
    assert events.count() == 8 and all(e.data["applied"] and e.actor_id == finance_user.pk for e in events)
    assert invoices[7].history.filter(sync_status=SyncStatus.MISSING).exists()
    run.refresh_from_db()
    assert run.applied_by == finance_user and run.applied_at
    with pytest.raises(ValidationError, match="already applied"):
        reconciliation_apply(run=run, actor=finance_user)

    assert reconciliation_revert(run=run, actor=finance_user) == 8
    assert set(sync_statuses(seller).values()) == {SyncStatus.PENDING}
    assert InvoiceEvent.objects.filter(invoice__seller=seller, data__reverted=True).count() == 8
    run.refresh_from_db()
    assert run.reverted_by == finance_user
    with pytest.raises(ValidationError, match="already reverted"):
        reconciliation_revert(run=run, actor=finance_user)


def test_apply_is_all_or_nothing(mixed_run, seller, finance_user, monkeypatch):
    run, _invoices = mixed_run
    real, calls = apply_module.set_sync_status_for, []

    def fails_second_time(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(apply_module, "set_sync_status_for", fails_second_time)
    with pytest.raises(RuntimeError):
        reconciliation_apply(run=run, actor=finance_user)
    assert set(sync_statuses(seller).values()) == {SyncStatus.PENDING}
    assert not InvoiceEvent.objects.filter(invoice__seller=seller, kind=InvoiceEventKind.RECONCILED).exists()
    run.refresh_from_db()
    assert run.applied_at is None and not ProposedChange.objects.filter(run=run, applied=True).exists()


def test_revert_refused_naming_invoices_changed_after_apply(mixed_run, seller, finance_user):
    run, invoices = mixed_run
    reconciliation_apply(run=run, actor=finance_user)
    invoice_event_record(invoice=invoices[7], kind=InvoiceEventKind.NOTE, actor=finance_user, message="called")
    with pytest.raises(ValidationError) as exc:
        reconciliation_revert(run=run, actor=finance_user)
    assert invoices[7].number in exc.value.message_dict["run"][0]
    # Nothing was reverted, not even the untouched invoices.
    assert sync_statuses(seller)[invoices[0].pk] == SyncStatus.SYNCED
    run.refresh_from_db()
    assert run.reverted_at is None


def test_wrong_sellers_export_applied_by_nobody_changes_nothing(seller, customer, finance_user, api_as):
    """The incident: the Beijing seller's export uploaded for another seller."""
    mine = ledger(seller, customer, n=6)
    other = factories.seller()
    theirs = ledger(other, customer, n=5)
    run = run_file(seller, finance_user, rows_for(theirs))
    assert run.wrong_file and "foreign_majority" in run.proposal["warnings"]
    assert run.proposal["foreign"]["rows"] == 5
    assert run.proposal["foreign"]["sellers"][0]["tax_id"] == other.tax_id
    assert run.proposal["changes"][SyncStatus.MISSING]["count"] == 6
    assert set(sync_statuses(seller).values()) == {SyncStatus.PENDING}

    client = api_as(finance_user)
    refused = client.post(f"/api/v1/reconciliations/{run.pk}/apply/", {}, format="json")
    assert refused.status_code == 400
    assert set(refused.json()) == {"confirm_wrong_file", "reason"}
    refused = client.post(f"/api/v1/reconciliations/{run.pk}/apply/", {"confirm_wrong_file": True}, format="json")
    assert refused.status_code == 400 and "reason" in str(refused.json())
    assert set(sync_statuses(seller).values()) == {SyncStatus.PENDING}
    assert not InvoiceEvent.objects.filter(invoice__in=mine, kind=InvoiceEventKind.RECONCILED).exists()

    done = client.post(f"/api/v1/reconciliations/{run.pk}/apply/",
                       {"confirm_wrong_file": True, "reason": "平台确实查无此票，已电话核实"}, format="json")
    assert done.status_code == 200, done.content
    assert done.json()["apply_reason"] == "平台确实查无此票，已电话核实"
    assert set(sync_statuses(seller).values()) == {SyncStatus.MISSING}


def test_low_match_rate_against_recent_runs_is_flagged(seller, customer, finance_user):
    invoices = ledger(seller, customer, n=6)
    for _ in range(2):
        ReconciliationRun.objects.create(seller=seller, period_start=PERIOD[0], period_end=PERIOD[1],
                                         status=RunStatus.DONE, rows_read=100, rows_matched=99,
                                         created_at=timezone.now() - dt.timedelta(days=30))
    rows = rows_for(invoices)
    for i in range(1, 6):  # five of six rows disagree: a stale or foreign export
        rows[i] = invoice_row(invoices[i], total="1.00")
    run = run_file(seller, finance_user, rows)
    assert run.wrong_file and run.proposal["warnings"] == ["low_match_rate"]
    assert run.proposal["recent_match_rate"] == pytest.approx(0.99)
    with pytest.raises(ValidationError) as exc:
        reconciliation_apply(run=run, actor=finance_user, confirm_wrong_file=True, reason="  ")
    assert "reason" in exc.value.message_dict


def test_a_wrong_file_nobody_applied_does_not_drag_the_recent_match_rate(seller, customer, finance_user):
    invoices = ledger(seller, customer, n=4)
    for rate, wrong in ((99, False), (5, True)):  # the wrong-file run was never applied: not this ledger's rate
        ReconciliationRun.objects.create(seller=seller, period_start=PERIOD[0], period_end=PERIOD[1],
                                         status=RunStatus.DONE, rows_read=100, rows_matched=rate, wrong_file=wrong,
                                         created_at=timezone.now() - dt.timedelta(days=30))
    run = run_file(seller, finance_user, rows_for(invoices))
    assert run.proposal["recent_match_rate"] == pytest.approx(0.99)


def test_without_history_a_low_match_rate_is_not_flagged(seller, customer, finance_user):
    invoices = ledger(seller, customer, n=4)
    rows = [invoice_row(inv, total="1.00") for inv in invoices]
    run = run_file(seller, finance_user, rows)
    assert not run.wrong_file and run.proposal["recent_match_rate"] is None


def test_rows_outside_the_period_are_counted_and_named(seller, customer, finance_user):
    invoices = ledger(seller, customer, n=3)
    september = factories.invoice(seller_obj=seller, buyer=customer, issued_at=at(1) - dt.timedelta(days=5),
                                  sync_status=SyncStatus.PENDING, lines=[factories.line("80.00")])
    stranger = invoice_row(invoices[0], digital_number="26112000000088888888", issued_at="2026-11-03 10:00:00")
    run = run_file(seller, finance_user, rows_for(invoices + [september]) + [stranger])
    outside = run.proposal["outside_period"]
    assert outside["rows"] == 2
    assert set(outside["samples"]) == {september.number, "26112000000088888888"}


def test_export_time_bounds_what_the_file_may_change(seller, customer, finance_user):
    """An invoice re-synced after the export was made is not set back to `missing` by it."""
    invoices = ledger(seller, customer, n=3)
    exported = timezone.now() - dt.timedelta(hours=2)
    run = run_file(seller, finance_user, rows_for(invoices[:1]), exported_at=exported)
    assert run.exported_at == exported
    assert run.proposal["changes"][SyncStatus.MISSING]["count"] == 2
    Invoice.objects.filter(pk=invoices[1].pk).update(sync_status=SyncStatus.SYNCED)
    invoice_event_record(invoice=invoices[1], kind=InvoiceEventKind.SYNC_SUCCEEDED, message="re-synced",
                         at=exported + dt.timedelta(minutes=30))
    result = reconciliation_apply(run=run, actor=finance_user)
    assert result == {"applied": 2, "confirmed_later": 1, "unchanged": 0}
    statuses = sync_statuses(seller)
    assert statuses[invoices[1].pk] == SyncStatus.SYNCED and statuses[invoices[2].pk] == SyncStatus.MISSING
    assert ProposedChange.objects.get(run=run, invoice=invoices[1]).skipped == "confirmed_later"


def test_upload_asks_for_export_time_and_checks_it(api_as, seller, finance_user):
    client = api_as(finance_user)
    data = {"seller": seller.pk, "period_start": "2026-10-01", "period_end": "2026-10-31",
            "file": upload(rows_for([])), "exported_at": "2099-01-01T00:00:00+08:00"}
    response = client.post("/api/v1/reconciliations/", data, format="multipart")
    assert response.status_code == 400 and "exported_at" in response.json()
    data.update(file=upload(rows_for([])), exported_at="2026-09-01T00:00:00+08:00")
    response = client.post("/api/v1/reconciliations/", data, format="multipart")
    assert response.status_code == 400 and "exported_at" in response.json()
    data.update(file=upload(rows_for([])), exported_at="2026-11-01T09:30:00+08:00")
    response = client.post("/api/v1/reconciliations/", data, format="multipart")
    assert response.status_code == 202 and response.json()["exported_at"].startswith("2026-11-01T09:30:00")


def test_apply_and_revert_need_finance_in_api_and_admin(mixed_run, client, api_as, manager_user, finance_user,
                                                        seller):
    run, _invoices = mixed_run
    for path in ("apply", "revert"):
        assert api_as(manager_user).post(f"/api/v1/reconciliations/{run.pk}/{path}/").status_code == 403
        client.force_login(manager_user)
        url = reverse(f"admin:invoices_reconciliationrun_{path}", args=[run.pk])
        assert client.get(url).status_code == 403 and client.post(url, {}).status_code == 403
    assert set(sync_statuses(seller).values()) == {SyncStatus.PENDING}
    # The manager still reads the proposal.
    assert api_as(manager_user).get(f"/api/v1/reconciliations/{run.pk}/").json()["proposal"]["changes"]


def test_admin_run_page_shows_proposal_and_applies_after_confirmation(mixed_run, client, finance_user, seller):
    run, invoices = mixed_run
    client.force_login(finance_user)
    page = client.get(reverse("admin:invoices_reconciliationrun_change", args=[run.pk])).content.decode()
    assert invoices[7].number in page and reverse("admin:invoices_reconciliationrun_apply", args=[run.pk]) in page
    url = reverse("admin:invoices_reconciliationrun_apply", args=[run.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200 and set(sync_statuses(seller).values()) == {SyncStatus.PENDING}
    response = client.post(url, {"apply": "1"})
    assert response.status_code == 302
    assert sync_statuses(seller)[invoices[7].pk] == SyncStatus.MISSING
    revert = reverse("admin:invoices_reconciliationrun_revert", args=[run.pk])
    assert client.post(revert, {"revert": "1"}).status_code == 302
    assert set(sync_statuses(seller).values()) == {SyncStatus.PENDING}


def test_admin_wrong_file_needs_confirmation_and_reason(seller, customer, finance_user, client):
    ledger(seller, customer, n=2)
    run = run_file(seller, finance_user, rows_for(ledger(factories.seller(), customer, n=3)))
    client.force_login(finance_user)
    url = reverse("admin:invoices_reconciliationrun_apply", args=[run.pk])
    page = client.post(url, {"apply": "1"})
    assert page.status_code == 200 and set(sync_statuses(seller).values()) == {SyncStatus.PENDING}
    assert page.context["form"].errors.keys() >= {"confirm_wrong_file", "reason"}
    done = client.post(url, {"apply": "1", "confirm_wrong_file": "on", "reason": "确认无误"})
    assert done.status_code == 302
    run.refresh_from_db()
    assert run.apply_reason == "确认无误" and set(sync_statuses(seller).values()) == {SyncStatus.MISSING}
