"""Reissues by reason (count and amount) and reconciliation discrepancies by kind, with their admin links."""
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.reporting.formats import format_yuan
from incidents.reporting.metrics import Metrics
from incidents.reporting.periods import parse_period
from invoices.reconciliation.models import ReconciliationRun
from invoices.reconciliation.pipeline.runner import execute
from invoices.reconciliation.services.runs import reconciliation_start
from invoices.reissue.models import ReissueRequest

from ...recon_helpers import PERIOD, ledger, rows_for, upload
from ...reissue_helpers import blue, request_full

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_reissues_by_reason_with_amounts_and_links(seller, customer, finance_user, client, manager_user):
    a, b, c = blue(seller, customer, "1000.00"), blue(seller, customer, "200.00"), blue(seller, customer, "50.00")
    ra, rb = request_full(a, finance_user), request_full(b, finance_user)
    old = request_full(c, finance_user)
    ReissueRequest.objects.filter(pk=old.pk).update(requested_at=timezone.now() - timedelta(days=60))
    rows = Metrics(period=parse_period("7")).reissues()
    assert [(r["code"], r["n"], r["amount"]) for r in rows] == [("01", 2, a.total + b.total)]
    assert format_yuan(rows[0]["amount"]) == f"¥{a.total + b.total:,.2f}" and a.total + b.total > Decimal("1000")
    client.force_login(manager_user)
    r = client.get(f"{reverse('admin:invoices_reissuerequest_changelist')}?{urlencode(rows[0]['link'])}")
    assert r.status_code == 200 and {o.pk for o in r.context["cl"].result_list} == {ra.pk, rb.pk}


def test_discrepancies_by_kind_with_links(seller, customer, finance_user, client, manager_user):
    invoices = ledger(seller, customer, n=4)
    run = reconciliation_start(actor=finance_user, seller=seller, period_start=PERIOD[0], period_end=PERIOD[1],
                               file=upload(rows_for(invoices[1:])))
    execute(run.pk, chunk_rows=3)
    ReconciliationRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(days=1))
    rows = Metrics(period=parse_period("7")).discrepancies()
    assert [(r["code"], r["n"]) for r in rows] == [("missing_on_platform", 1)]
    assert Metrics(period=parse_period("2026-01")).discrepancies() == []
    client.force_login(manager_user)
    r = client.get(f"{reverse('admin:invoices_discrepancy_changelist')}?{urlencode(rows[0]['link'])}")
    assert r.status_code == 200 and [o.number for o in r.context["cl"].result_list] == [invoices[0].number]
