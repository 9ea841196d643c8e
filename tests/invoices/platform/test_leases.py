"""Leases shorter than redelivery: every claim a task takes lapses after the task timeout (a live task never loses
it) and before the broker's retry (the redelivered task of a killed worker takes over instead of dropping itself
and leaving the work to a sweep minutes later)."""
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django_q.models import Schedule

from incidents.services.mail import lease as email_lease
from invoices.platform.models import SyncState
from invoices.platform.services.sync import invoice_sync_run
from invoices.platform.services.sync_support import claim, sync_conf

Q = settings.Q_CLUSTER


@pytest.mark.parametrize("name, seconds", [
    ("invoice upload claim (TAX_PLATFORM_SYNC claim_ttl)", lambda: sync_conf()["claim_ttl"]),
    ("email lease (INCIDENTS_EMAIL_LEASE_SECONDS)", lambda: email_lease().total_seconds()),
    ("reconciliation chunk (Q timeout + 5 s)", lambda: Q["timeout"] + 5),
])
def test_every_lease_lapses_between_the_task_timeout_and_the_broker_retry(name, seconds):
    assert Q["timeout"] < seconds() < Q["retry"], name


@pytest.mark.django_db
def test_a_lost_upload_is_picked_up_within_a_sweep_interval_plus_a_lease():
    sweep = Schedule.objects.get(name="invoices: re-queue due pending syncs")
    assert sync_conf()["stale_after"] >= sync_conf()["claim_ttl"]
    assert sync_conf()["stale_after"] + sweep.minutes * 60 <= 3 * 60


@pytest.mark.django_db
def test_the_sweep_waits_for_a_live_claim_instead_of_pushing_the_invoice_back(invoice):
    from invoices.platform.services.sync import invoices_sync_sweep

    token = claim(invoice.pk)
    later = timezone.now() + timedelta(seconds=sync_conf()["stale_after"] + 1)
    SyncState.objects.filter(invoice_id=invoice.pk).update(claimed_until=later + timedelta(seconds=10))
    assert invoices_sync_sweep(now=later) == 0
    state = SyncState.objects.get(invoice_id=invoice.pk)
    assert state.next_attempt_at <= later and state.claim_token == token
    assert invoices_sync_sweep(now=later + timedelta(seconds=11)) == 1


@pytest.mark.django_db
def test_a_redelivered_upload_takes_over_an_expired_claim(invoice):
    assert claim(invoice.pk)  # the worker that took it is killed: the claim is never released
    assert invoice_sync_run(invoice.pk) == "busy"
    # The broker's redelivery comes Q_RETRY later, past the claim's lapse.
    SyncState.objects.filter(invoice_id=invoice.pk).update(
        claimed_until=timezone.now() - timedelta(seconds=Q["retry"] - sync_conf()["claim_ttl"]))
    assert invoice_sync_run(invoice.pk) != "busy"
    invoice.refresh_from_db()
    assert invoice.sync_status == "synced"
