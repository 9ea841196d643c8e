"""The platform's batch listing (`GET /invoices?seller_tax_id=…`) over the wire: the http gateway against the real
simulator server on loopback."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from invoices.ledger.models import SyncStatus
from invoices.platform.gateway import PlatformRejected, PlatformUnavailable, get_gateway
from invoices.platform.http import HttpGateway
from invoices.platform.models import PlatformSettings
from invoices.platform.simulator import SimulatedGateway

from ... import factories
from ...files_helpers import on_platform
from ...sync_helpers import live_platform  # noqa: F401  (fixture)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def listed_all(gateway, seller, first, last, limit):
    pages, cursor = [], None
    while True:
        page = gateway.list_invoices(seller.tax_id, first, last, cursor=cursor, limit=limit)
        pages.append([row.number for row in page.results])
        cursor = page.next_cursor
        if cursor is None:
            return pages


def test_the_listing_pages_a_sellers_period_in_a_stable_order(live_platform):
    seller, other = factories.seller(), factories.seller()
    today = timezone.localdate()
    mine = [factories.invoice(seller_obj=seller, sync_status=SyncStatus.SYNCED) for _ in range(5)]
    old = factories.invoice(seller_obj=seller, sync_status=SyncStatus.SYNCED,
                            issued_at=timezone.now() - timedelta(days=40))
    theirs = factories.invoice(seller_obj=other, sync_status=SyncStatus.SYNCED)
    for invoice in [*mine, old, theirs]:
        on_platform(invoice)
    gateway = get_gateway()
    assert isinstance(gateway, HttpGateway)
    pages = listed_all(gateway, seller, today - timedelta(days=2), today, limit=2)
    assert pages == [[mine[0].number, mine[1].number], [mine[2].number, mine[3].number], [mine[4].number]]
    row = gateway.list_invoices(seller.tax_id, today, today, limit=1).results[0]
    assert (row.number, row.code, row.status, row.total, row.amount, row.tax_amount) == (
        mine[0].number, "", "正常", Decimal("113.00"), Decimal("100.00"), Decimal("13.00"))
    assert (row.buyer_tax_id, row.direction) == (mine[0].buyer_tax_id, "blue") and row.issued_at is not None
    # In-process, the simulator answers the same pages.
    assert listed_all(SimulatedGateway(), seller, today - timedelta(days=2), today, limit=2) == pages
    assert listed_all(gateway, seller, today - timedelta(days=60), today - timedelta(days=30), limit=1000) == [
        [old.number]]


@pytest.mark.parametrize("field, value, code", [
    ("issued_from", "2026-13-01", "INVALID_ISSUED_FROM"),
    ("issued_to", "yesterday", "INVALID_ISSUED_TO"),
    ("limit", 1001, "INVALID_LIMIT"),
    ("limit", 0, "INVALID_LIMIT"),
    ("cursor", "abc", "INVALID_CURSOR"),
])
def test_a_bad_parameter_is_a_4xx_naming_it(live_platform, field, value, code):
    seller = factories.seller()
    args = {"issued_from": "2026-01-01", "issued_to": "2026-01-31", "cursor": None, "limit": 10, field: value}
    with pytest.raises(PlatformRejected) as exc:
        get_gateway().list_invoices(seller.tax_id, **args)
    assert exc.value.code == code and field in exc.value.message


def test_a_platform_that_is_down_or_gone_is_unavailable(live_platform):
    seller = factories.seller()
    PlatformSettings.objects.create(outage=True)
    with pytest.raises(PlatformUnavailable):
        get_gateway().list_invoices(seller.tax_id, "2026-01-01", "2026-01-31")
    live_platform.stop()
    with pytest.raises(PlatformUnavailable):
        get_gateway().list_invoices(seller.tax_id, "2026-01-01", "2026-01-31")
