"""The http gateway over loopback against the real `platform_simulator` server: the wire protocol, the
typed errors, and the outage story (server stopped/restarted, server that stores then never answers).
Transactional tests: the server thread writes with its own connection."""
import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from invoices.ledger.models import Invoice, SyncStatus
from invoices.platform.gateway import (
    InvoiceDraft,
    PlatformRejected,
    PlatformUnavailable,
    get_gateway,
)
from invoices.platform.http import HttpGateway
from invoices.platform.models import PlatformInvoice
from invoices.platform.server import PlatformHandler
from invoices.platform.services.sync import invoices_sync_sweep
from invoices.platform.simulator import sim_settings_row

from ... import factories
from ...sync_helpers import live_platform  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.slow,  # a live platform server on loopback, stopped and restarted
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sweep_until_quiet():
    """What the scheduled sweep does over time, compressed: re-queue whatever is due until nothing is."""
    for _ in range(10):
        if not invoices_sync_sweep(now=timezone.now() + timedelta(days=1)):
            return


def test_wire_protocol_upload_query_issue(live_platform):
    gateway = get_gateway()
    assert isinstance(gateway, HttpGateway)
    invoice = factories.invoice(sync_status=SyncStatus.NOT_SENT)
    assert gateway.query(invoice) is None
    receipt = gateway.upload(invoice)
    assert receipt.number == invoice.number and receipt.platform_id and not receipt.duplicate
    again = gateway.upload(invoice)
    assert again.duplicate and again.platform_id == receipt.platform_id
    record = gateway.query(invoice)
    assert record.status == "正常" and record.total == invoice.total
    assert record.raw["lines"][0]["tax_rate"] == "0.1300"
    assert PlatformInvoice.objects.get().uploads == 2

    draft = InvoiceDraft(
        idempotency_key="reissue-1", kind=invoice.kind, seller_tax_id=invoice.seller.tax_id,
        seller_name=invoice.seller.name, region_code="11", buyer_name=invoice.buyer_name,
        buyer_tax_id=invoice.buyer_tax_id, issued_at=timezone.now(), amount=invoice.amount,
        tax_amount=invoice.tax_amount, total=invoice.total, lines=[{"name": "x", "amount": invoice.amount}],
    )
    issued = gateway.issue(draft)
    assert len(issued.number) == 20 and issued.number.isdigit() and issued.number[2:5] == "111"
    assert gateway.issue(draft).number == issued.number  # same key, same invoice


def test_typed_errors(live_platform, settings):
    invoice = factories.invoice(sync_status=SyncStatus.NOT_SENT)
    row = sim_settings_row()
    row.rejected_tax_ids = invoice.buyer_tax_id
    row.save()
    with pytest.raises(PlatformRejected) as exc:
        get_gateway().upload(invoice)
    assert exc.value.code == "TAX_ID_NOT_REGISTERED"
    row.rejected_tax_ids, row.outage = "", True
    row.save()
    with pytest.raises(PlatformUnavailable):
        get_gateway().upload(invoice)
    row.outage = False
    row.save()
    settings.TAX_PLATFORM_TOKEN = "wrong"
    with pytest.raises(PlatformUnavailable):  # our credentials, not the invoice's data
        get_gateway().upload(invoice)
    live_platform.stop()
    settings.TAX_PLATFORM_TOKEN = "test-token"
    with pytest.raises(PlatformUnavailable):  # connection refused
        get_gateway().upload(invoice)
    assert not PlatformInvoice.objects.exists()


def test_outage_stopped_then_restarted_loses_nothing(live_platform):
    live_platform.stop()
    issued = [factories.invoice() for _ in range(4)]  # each queued on commit, each upload refused
    assert set(Invoice.objects.values_list("sync_status", flat=True)) == {SyncStatus.PENDING}
    live_platform.start()
    sweep_until_quiet()
    assert set(Invoice.objects.values_list("sync_status", flat=True)) == {SyncStatus.SYNCED}
    assert sorted(PlatformInvoice.objects.values_list("number", flat=True)) == sorted(i.number for i in issued)
    assert set(PlatformInvoice.objects.values_list("uploads", flat=True)) == {1}


class StoreThenHang(PlatformHandler):
    """Accepts the upload, stores it, then does not answer until released (the client times out)."""

    release = threading.Event()

    def after_store(self, record, created):
        self.release.wait(timeout=10)


def test_server_stores_then_times_out_then_dies_mid_batch(live_platform, settings):
    settings.TAX_PLATFORM_READ_TIMEOUT = 0.5
    StoreThenHang.release.clear()
    live_platform.stop()
    live_platform.start(handler=StoreThenHang)
    hung = factories.invoice()  # stored on the platform, but our client never hears back
    hung.refresh_from_db()
    assert hung.sync_status == SyncStatus.PENDING
    assert PlatformInvoice.objects.filter(number=hung.number).exists()
    StoreThenHang.release.set()
    live_platform.stop()  # the server dies; the rest of the batch meets a closed port
    rest = [factories.invoice() for _ in range(3)]
    live_platform.start()
    sweep_until_quiet()
    numbers = sorted([hung.number] + [i.number for i in rest])
    assert set(Invoice.objects.values_list("sync_status", flat=True)) == {SyncStatus.SYNCED}
    assert sorted(PlatformInvoice.objects.values_list("number", flat=True)) == numbers  # once each
    hung_record = PlatformInvoice.objects.get(number=hung.number)
    assert hung_record.uploads == 2  # the replay was recognised by its idempotency key
    assert hung.sync_attempts.order_by("id").last().outcome == "duplicate"
