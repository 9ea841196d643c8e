"""Concurrent re-sync of one invoice: at most one upload in flight, one record on the platform.
Real threads need real row locking and independent connections, so this runs on PostgreSQL only."""
import threading

import pytest
from django.db import connections

from invoices.ledger.models import SyncStatus
from invoices.platform.models import PlatformInvoice, SyncAttempt
from invoices.platform.services.sync import invoice_sync_run
from invoices.platform.simulator import sim_settings_row

from ... import factories

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_concurrent_runs_upload_once():
    # Recorded as pending without queuing, so the only runs are the racing ones below.
    invoice = factories.invoice(sync_status=SyncStatus.PENDING)
    row = sim_settings_row()
    row.latency_ms = 300  # keep the first upload in flight while the others arrive
    row.save()

    results, barrier = [], threading.Barrier(4)

    def worker():
        try:
            barrier.wait()
            results.append(invoice_sync_run(invoice.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("synced") == 1
    assert set(results) <= {"synced", "busy", "skipped"}
    assert SyncAttempt.objects.count() == 1
    assert PlatformInvoice.objects.get().uploads == 1
