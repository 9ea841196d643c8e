"""Reissues by reason (count and amount) and reconciliation discrepancies by kind, with their admin links."""
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.reporting.metrics import Metrics
from incidents.reporting.periods import parse_period
from invoices.reconciliation.models import ReconciliationRun
from invoices.reconciliation.pipeline.runner import execute
from invoices.reconciliation.services.runs import reconciliation_start
from invoices.reissue.models import ReissueRequest, ReissueStatus
from invoices.reissue.services.reissue import invoice_reissue_request

from ...recon_helpers import PERIOD, ledger, rows_for, upload
from ...reissue_helpers import approve_and_complete, blue, request_full

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_reissue_money_is_what_completed_red_invoices_credited(
    seller, customer, finance_user, finance_user2, client, manager_user, django_capture_on_commit_callbacks
):
    """A partial allowance credits its red invoice's amount, not the original's total; a failed or pending request
    credits nothing; each is counted apart."""
    a, b, c = blue(seller, customer, "1000.00"), blue(seller, customer, "200.00"), blue(seller, customer, "50.00")
    allowance = invoice_reissue_request(invoice=a, actor=finance_user, reason="04", scope="partial", issue_new=False,
                                        red_lines=[{"line_no": 1, "amount": "100.00"}])
    allowance = approve_and_complete(allowance, finance_user2, django_capture_on_commit_callbacks)
    assert allowance.status == ReissueStatus.COMPLETED, allowance.failure
    failed = request_full(b, finance_user, reason="04", scope="partial", issue_new=False,
                          red_lines=[{"line_no": 1, "amount": "10.00"}], new_lines=None)
    ReissueRequest.objects.filter(pk=failed.pk).update(status=ReissueStatus.FAILED)
    old = request_full(c, finance_user)
    ReissueRequest.objects.filter(pk=old.pk).update(requested_at=timezone.now() - timedelta(days=60))

    rows = Metrics(period=parse_period("7")).reissues()
    credited = -allowance.red_invoice.total
    assert credited == Decimal("113.00") and a.total > Decimal("1000")
    assert [(r["code"], r["n"], r["completed"], r["failed"], r["amount"]) for r in rows] == [
        ("04", 2, 1, 1, credited)]
    assert rows[0]["amount"] == sum(-r.red_invoice.total for r in ReissueRequest.objects.filter(
        status=ReissueStatus.COMPLETED, completed_at__gte=timezone.now() - timedelta(days=7)))
    client.force_login(manager_user)
    r = client.get(f"{reverse('admin:invoices_reissuerequest_changelist')}?{urlencode(rows[0]['link'])}")
    assert r.status_code == 200 and {o.pk for o in r.context["cl"].result_list} == {allowance.pk, failed.pk}


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


def test_a_wrong_file_nobody_applied_is_left_out_of_the_discrepancies(seller, customer, finance_user):
    invoices = ledger(seller, customer, n=4)
    run = reconciliation_start(actor=finance_user, seller=seller, period_start=PERIOD[0], period_end=PERIOD[1],
                               file=upload(rows_for(invoices[1:])))
    execute(run.pk, chunk_rows=3)
    ReconciliationRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(days=1),
                                                       wrong_file=True)
    assert Metrics(period=parse_period("7")).discrepancies() == []
    ReconciliationRun.objects.filter(pk=run.pk).update(applied_at=timezone.now())  # applied despite the warning
    assert [(r["code"], r["n"]) for r in Metrics(period=parse_period("7")).discrepancies()] == [
        ("missing_on_platform", 1)]
