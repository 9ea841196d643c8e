"""Leases shorter than redelivery, end to end: a real `manage.py qcluster` uploading 50 invoices is killed with
SIGKILL (its whole process group) mid-upload; after a restart every invoice is synced, once, within one sweep
interval plus one lease, on the ORM broker and on Redis (127.0.0.1:6379). The leases are NOT set here: they
derive from Q_TIMEOUT and Q_RETRY as in production (settings.LEASE_SECONDS_DEFAULT); only the broker timings
are scaled down (Q_TIMEOUT 6 s, Q_RETRY 10 s, so leases of 8 s) and stale_after with them, so the test waits
about a minute (the sweep's schedule interval), not three."""
import time
import zlib

import pytest
from django.db import connection
from django_q.conf import Conf
from django_q.models import Schedule

from invoices.ledger.models import Invoice, SyncStatus
from invoices.platform.models import PlatformInvoice, SyncState

from ... import factories
from ...crash_helpers import Cluster, wait_for
from tests.test_crash_recovery import _cluster_env

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
Q_TIMEOUT, Q_RETRY, STALE_AFTER = 6, 10, 10
LEASE = (Q_TIMEOUT + Q_RETRY) // 2
N = 50
WORK_ALLOWANCE = 30  # the cluster's start and uploading what is left (3 workers, 0.5 s each), on a busy machine


def _redis_url():
    # Several test databases may share the Redis server: each uses its own database index.
    return f"redis://127.0.0.1:6379/{zlib.crc32(connection.settings_dict['NAME'].encode()) % 15 + 1}"


@pytest.fixture(params=["orm", "redis"])
def broker(request, monkeypatch):
    """The suite runs tasks inline; here they go to the broker the cluster reads."""
    monkeypatch.setattr(Conf, "SYNC", False)
    if request.param == "orm":
        yield {"REDIS_URL": ""}
        return
    import redis

    url = _redis_url()
    redis.from_url(url).flushdb()
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", url)
    yield {"REDIS_URL": url}
    redis.from_url(url).flushdb()


def test_killed_worker_mid_upload_recovers_within_a_sweep_plus_a_lease(broker, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Issuing here writes each invoice's next_attempt_at (queue time + stale_after) as the cluster will read it.
    settings.TAX_PLATFORM_SYNC = {**settings.TAX_PLATFORM_SYNC, "stale_after": STALE_AFTER, "claim_ttl": LEASE}
    env = _cluster_env(tmp_path, smtp_port=1)
    for key in ("TAX_PLATFORM_CLAIM_TTL", "INCIDENTS_EMAIL_LEASE_SECONDS", "RECONCILIATION_TASK_TIMEOUT"):
        env.pop(key)
    env.update({"Q_TIMEOUT": str(Q_TIMEOUT), "Q_RETRY": str(Q_RETRY), "TAX_PLATFORM_STALE_AFTER": str(STALE_AFTER),
                "TAX_PLATFORM_SIM_LATENCY_MS": "500", **broker})
    seller, buyer = factories.seller(), factories.customer()
    invoices = [factories.invoice(seller_obj=seller, buyer=buyer) for _n in range(N)]
    ids = [i.pk for i in invoices]
    sweep_minutes = Schedule.objects.get(name="invoices: re-queue due pending syncs").minutes
    synced = Invoice.objects.filter(pk__in=ids, sync_status=SyncStatus.SYNCED)

    cluster = Cluster(env, tmp_path / "qcluster.log")
    try:
        cluster.start()
        wait_for(lambda: synced.count() >= 5 and SyncState.objects.filter(invoice_id__in=ids, claim_token__gt="")
                 .exists(), 60, lambda: f"uploads under way ({synced.count()} synced)")
        cluster.kill9()
        held = SyncState.objects.filter(invoice_id__in=ids, claim_token__gt="").count()
        assert held > 0 and synced.count() < N  # killed mid-upload, claims left behind
        killed_at = time.monotonic()
        cluster.start()
        bound = sweep_minutes * 60 + max(LEASE, STALE_AFTER) + WORK_ALLOWANCE
        wait_for(lambda: synced.count() == N, bound,
                 lambda: f"all {N} synced within {bound}s: {synced.count()} (log: {tmp_path / 'qcluster.log'})")
        elapsed = time.monotonic() - killed_at
    finally:
        cluster.stop()
        cluster.kill9()
    print(f"{broker}: {held} claims left by the killed cluster; all {N} synced {elapsed:.0f}s after the kill")
    numbers = [i.number for i in invoices]
    assert PlatformInvoice.objects.filter(number__in=numbers).count() == N  # one record each, no duplicates
