"""Sync services against the simulated platform (in-process), tasks run inline by django-q2 sync mode."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.event_texts import text_of
from invoices.ledger.models import InvoiceEventKind, SyncStatus
from invoices.platform.models import (
    PlatformInvoice,
    SyncAttempt,
    SyncOutcome,
    SyncState,
)
from invoices.platform.services.sync import (
    invoice_sync_request,
    invoice_sync_run,
    invoice_verify,
    invoices_resync_bulk,
    invoices_sync_sweep,
)
from invoices.platform.services.sync_support import claim, sync_conf
from invoices.platform.simulator import sim_settings_row

from ... import factories
from ...sync_helpers import collect, signals

pytestmark = pytest.mark.django_db


def set_platform(**values):
    row = sim_settings_row()
    for key, value in values.items():
        setattr(row, key, value)
    row.save()


@pytest.fixture
def issued(django_capture_on_commit_callbacks, seller, customer):
    """Issue an invoice and let its commit hooks (the queued upload) run."""
    def _issue(**kw):
        with django_capture_on_commit_callbacks(execute=True):
            invoice = factories.invoice(seller_obj=seller, buyer=kw.pop("buyer", customer), **kw)
        invoice.refresh_from_db()
        return invoice
    return _issue


def test_new_invoice_goes_pending_then_synced_once(issued):
    invoice = issued()
    assert invoice.sync_status == SyncStatus.SYNCED
    record = PlatformInvoice.objects.get(number=invoice.number)
    assert record.uploads == 1 and record.total == invoice.total and record.status == "正常"
    attempt = invoice.sync_attempts.get()
    assert attempt.outcome == SyncOutcome.ACCEPTED
    kinds = list(invoice.events.values_list("kind", flat=True))
    assert kinds == [InvoiceEventKind.ISSUED, InvoiceEventKind.SYNC_SUCCEEDED]


def test_issue_without_commit_is_only_pending(seller, customer):
    invoice = factories.invoice(seller_obj=seller, buyer=customer)
    assert invoice.sync_status == SyncStatus.PENDING
    assert not PlatformInvoice.objects.exists()


def test_explicit_sync_status_records_history_without_queuing(django_capture_on_commit_callbacks, seller, customer):
    with django_capture_on_commit_callbacks(execute=True):
        invoice = factories.invoice(seller_obj=seller, buyer=customer, sync_status=SyncStatus.FAILED)
    invoice.refresh_from_db()
    assert invoice.sync_status == SyncStatus.FAILED
    assert not SyncAttempt.objects.exists() and not SyncState.objects.exists()


def test_unknown_sync_status_is_refused(seller, customer):
    with pytest.raises(ValidationError) as exc:
        factories.invoice(seller_obj=seller, buyer=customer, sync_status="lost")
    assert "sync_status" in exc.value.message_dict


def test_rejected_fails_at_once_with_platform_message(issued, customer):
    set_platform(rejected_tax_ids=customer.tax_id)
    with collect(signals.invoice_sync_failed) as failed:
        invoice = issued()
    assert invoice.sync_status == SyncStatus.FAILED
    attempt = invoice.sync_attempts.get()
    assert attempt.outcome == SyncOutcome.REJECTED and attempt.error_code == "TAX_ID_NOT_REGISTERED"
    assert customer.tax_id in attempt.error
    assert failed.calls == [{"invoice_ids": [invoice.pk], "reason": failed.calls[0]["reason"],
                             "code": "TAX_ID_NOT_REGISTERED"}]
    assert customer.tax_id in text_of(failed.calls[0]["reason"])  # a fact, rendered for each reader
    assert invoice.events.filter(kind=InvoiceEventKind.SYNC_FAILED).count() == 1


def test_outage_retries_with_backoff_then_fails_bounded(issued, run_hooks, settings):
    settings.TAX_PLATFORM_SYNC = {"max_attempts": 3, "backoff_base": 60, "backoff_max": 3600}
    set_platform(outage=True)
    with collect(signals.platform_unavailable) as down, collect(signals.invoice_sync_failed) as failed:
        invoice = issued()
        state = SyncState.objects.get(pk=invoice.pk)
        assert invoice.sync_status == SyncStatus.PENDING and state.attempts == 1
        first_wait = state.next_attempt_at - timezone.now()
        assert timedelta(seconds=50) < first_wait <= timedelta(seconds=60)
        # Not due yet: the sweep leaves it alone.
        assert run_hooks(invoices_sync_sweep) == 0
        assert run_hooks(invoices_sync_sweep, now=timezone.now() + timedelta(seconds=61)) == 1
        state.refresh_from_db()
        assert state.attempts == 2
        second_wait = state.next_attempt_at - timezone.now()
        assert second_wait > first_wait  # the wait doubles
        run_hooks(invoices_sync_sweep, now=timezone.now() + timedelta(hours=1))
    invoice.refresh_from_db()
    assert invoice.sync_status == SyncStatus.FAILED
    assert invoice.sync_attempts.filter(outcome=SyncOutcome.UNAVAILABLE).count() == 3
    assert [c["invoice_ids"] for c in down.calls] == [[invoice.pk]] * 3
    assert len(failed.calls) == 1 and failed.calls[0]["code"] == ""
    # Failed for good: the sweep no longer touches it.
    assert run_hooks(invoices_sync_sweep, now=timezone.now() + timedelta(days=1)) == 0


def test_recovery_is_announced_once_and_resync_succeeds(issued, run_hooks, finance_user):
    set_platform(outage=True)
    first, second = issued(), issued()
    set_platform(outage=False)
    with collect(signals.platform_recovered) as up:
        run_hooks(invoice_sync_request, invoice_id=first.pk, actor=finance_user, reason="outage over")
        run_hooks(invoice_sync_request, invoice_id=second.pk, actor=finance_user)
    assert len(up.calls) == 1
    for invoice in (first, second):
        invoice.refresh_from_db()
        assert invoice.sync_status == SyncStatus.SYNCED
        assert SyncState.objects.get(pk=invoice.pk).attempts == 0
    assert PlatformInvoice.objects.count() == 2


def test_resync_refuses_synced_unless_forced_and_never_duplicates(issued, run_hooks, finance_user):
    invoice = issued()
    with pytest.raises(ValidationError) as exc:
        invoice_sync_request(invoice_id=invoice.pk, actor=finance_user)
    assert "sync_status" in exc.value.message_dict
    for _ in range(3):
        run_hooks(invoice_sync_request, invoice_id=invoice.pk, actor=finance_user, force=True)
    invoice.refresh_from_db()
    assert invoice.sync_status == SyncStatus.SYNCED
    record = PlatformInvoice.objects.get()
    assert record.uploads == 4
    outcomes = list(invoice.sync_attempts.order_by("id").values_list("outcome", flat=True))
    assert outcomes == [SyncOutcome.ACCEPTED] + [SyncOutcome.DUPLICATE] * 3
    assert invoice.events.filter(kind=InvoiceEventKind.SYNC_QUEUED, actor=finance_user).count() == 3


def test_run_is_idempotent_and_respects_a_live_claim(seller, customer):
    invoice = factories.invoice(seller_obj=seller, buyer=customer)  # pending, task not run (no commit)
    token = claim(invoice.pk)
    assert token
    assert invoice_sync_run(invoice.pk) == "busy"
    assert not SyncAttempt.objects.exists()
    SyncState.objects.filter(pk=invoice.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert invoice_sync_run(invoice.pk) == "synced"  # an expired claim (killed worker) does not block
    assert invoice_sync_run(invoice.pk) == "skipped"
    assert SyncAttempt.objects.count() == 1 and PlatformInvoice.objects.get().uploads == 1
    assert SyncState.objects.get(pk=invoice.pk).claim_token == ""


def test_verify_three_outcomes(issued, finance_user, run_hooks):
    synced = issued()
    with collect(signals.invoice_verify_failed) as verify_failed:
        result = run_hooks(invoice_verify, invoice_id=synced.pk, actor=finance_user)
        assert result.outcome == "synced" and result.sync_status == SyncStatus.SYNCED

        PlatformInvoice.objects.filter(number=synced.number).update(total=synced.total + Decimal("1.00"),
                                                                     status="已红冲-全额")
        result = run_hooks(invoice_verify, invoice_id=synced.pk, actor=finance_user)
        assert result.outcome == "mismatch"
        assert result.detail["differences"]["total"] == {"ledger": str(synced.total),
                                                          "platform": str(synced.total + Decimal("1.00"))}
        assert result.detail["differences"]["status"] == {"ledger": "正常", "platform": "已红冲-全额"}

        PlatformInvoice.objects.filter(number=synced.number).delete()
        result = run_hooks(invoice_verify, invoice_id=synced.pk, actor=finance_user)
        assert result.outcome == "missing"
    synced.refresh_from_db()
    assert synced.sync_status == SyncStatus.MISSING
    assert [c["outcome"] for c in verify_failed.calls] == ["mismatch", "missing"]
    events = synced.events.filter(kind=InvoiceEventKind.VERIFIED).order_by("id")
    assert [e.data["outcome"] for e in events] == ["synced", "mismatch", "missing"]
    assert events[1].data["platform"]["status"] == "已红冲-全额"  # what the platform answered is kept
    # Missing can be re-synced, and then verifies clean.
    run_hooks(invoice_sync_request, invoice_id=synced.pk, actor=finance_user)
    assert run_hooks(invoice_verify, invoice_id=synced.pk, actor=finance_user).outcome == "synced"


def test_verify_during_outage_changes_nothing(issued, finance_user):
    invoice = issued()
    set_platform(outage=True)
    result = invoice_verify(invoice_id=invoice.pk, actor=finance_user)
    assert result.outcome == "unavailable" and result.sync_status == SyncStatus.SYNCED
    invoice.refresh_from_db()
    assert invoice.sync_status == SyncStatus.SYNCED
    assert invoice.sync_attempts.filter(outcome=SyncOutcome.UNAVAILABLE, actor=finance_user).count() == 1


def test_verify_of_pending_missing_invoice_stays_pending(seller, customer, finance_user):
    invoice = factories.invoice(seller_obj=seller, buyer=customer)
    result = invoice_verify(invoice_id=invoice.pk, actor=finance_user)
    assert result.outcome == "missing" and result.sync_status == SyncStatus.PENDING


def test_red_flush_synced_keeps_original_verifying_clean(issued, finance_user, run_hooks):
    blue = issued()
    red = issued(direction="red", original=blue, lines=[factories.line("-100.00")])
    assert red.sync_status == SyncStatus.SYNCED
    assert PlatformInvoice.objects.get(number=blue.number).status == "已红冲-全额"
    assert run_hooks(invoice_verify, invoice_id=blue.pk, actor=finance_user).outcome == "synced"


def test_bulk_resync_since(issued, run_hooks, finance_user):
    set_platform(rejected_tax_ids="")
    set_platform(outage=True)
    old = issued(issued_at=timezone.now() - timedelta(days=10))
    recent = [issued(), issued()]
    done = issued(sync_status=SyncStatus.SYNCED)  # recorded synced, never touched
    set_platform(outage=False)
    count = run_hooks(invoices_resync_bulk, actor=finance_user, since=timezone.now() - timedelta(days=1))
    assert count == 2
    for invoice in recent:
        invoice.refresh_from_db()
        assert invoice.sync_status == SyncStatus.SYNCED
    old.refresh_from_db()
    done.refresh_from_db()
    assert old.sync_status == SyncStatus.PENDING and done.sync_status == SyncStatus.SYNCED
    assert PlatformInvoice.objects.count() == 2


def test_bulk_resync_validates_input(finance_user):
    with pytest.raises(ValidationError) as exc:
        invoices_resync_bulk(actor=finance_user, since=timezone.now() + timedelta(days=1))
    assert "since" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        invoices_resync_bulk(actor=finance_user, since=timezone.now(), statuses=["synced"])
    assert "statuses" in exc.value.message_dict


def test_sweep_requeues_stale_pending_without_state(run_hooks, seller, customer):
    invoice = factories.invoice(seller_obj=seller, buyer=customer, sync_status=SyncStatus.PENDING)
    assert run_hooks(invoices_sync_sweep) == 1
    invoice.refresh_from_db()
    assert invoice.sync_status == SyncStatus.SYNCED


def test_task_settings_obey_django_q_rules(settings):
    q = settings.Q_CLUSTER
    assert q["timeout"] < q["retry"] and q["max_attempts"] > 0
    assert settings.TAX_PLATFORM_CONNECT_TIMEOUT + settings.TAX_PLATFORM_READ_TIMEOUT < q["timeout"]
    assert sync_conf()["claim_ttl"] > q["timeout"]


def test_invoices_that_gave_up_in_an_outage_are_requeued_when_it_ends(issued, run_hooks, settings):
    settings.TAX_PLATFORM_SYNC = {"max_attempts": 1}
    set_platform(outage=True)
    gave_up = [issued(), issued()]
    rejected_customer = factories.customer()
    set_platform(outage=False, rejected_tax_ids=rejected_customer.tax_id)
    refused = issued(buyer=rejected_customer)  # the platform answers: recovery, but this one is refused
    assert refused.sync_status == SyncStatus.FAILED
    for invoice in gave_up:
        invoice.refresh_from_db()
        assert invoice.sync_status == SyncStatus.SYNCED
    refused.refresh_from_db()
    assert refused.sync_status == SyncStatus.FAILED  # a data error is not retried automatically


def test_sweep_probes_a_down_platform_and_requeues_on_recovery(issued, run_hooks, settings):
    settings.TAX_PLATFORM_SYNC = {"max_attempts": 1}
    set_platform(outage=True)
    invoice = issued()
    assert invoice.sync_status == SyncStatus.FAILED
    with collect(signals.platform_recovered) as up:
        assert run_hooks(invoices_sync_sweep) == 0  # still down: the probe fails quietly
        set_platform(outage=False)
        run_hooks(invoices_sync_sweep)
    assert len(up.calls) == 1
    invoice.refresh_from_db()
    assert invoice.sync_status == SyncStatus.SYNCED
    assert PlatformInvoice.objects.get().uploads == 1
