"""The demo's 90 days of history give the dashboard and last month's report something to show."""
import os
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from incidents import sla
from incidents.models import FollowUp, FollowUpKind, Incident
from incidents.reporting.metrics import Metrics
from incidents.reporting.periods import last_month, parse_period


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_demo_history_spans_ninety_days_with_breaches_and_holidays():
    started = time.monotonic()
    call_command("seed_demo", invoices=40, customers=12, stdout=open(os.devnull, "w"))
    elapsed = time.monotonic() - started
    history = Incident.objects.filter(source_key__startswith="demo-history")
    first, last = (history.order_by("created_at").first().created_at, history.order_by("created_at").last().created_at)
    assert last - first > timedelta(days=80) and history.count() > 100
    spec = sla.load_calendar()
    days = {timezone.localtime(t).date() for t in history.values_list("created_at", flat=True)}
    assert any(not spec.is_working_day(d) for d in days)  # something happens on a holiday or weekend
    assert any(d in spec.workdays for d in days) or not any(
        timezone.localdate() - timedelta(days=90) <= d <= timezone.localdate() for d in spec.workdays)
    h = Metrics(period=last_month()).headline()
    assert h["opened"] > 20 and 0 < h["response_met"] < h["response_total"]  # a few breaches, not all
    assert h["mttr"] is not None
    assert Metrics(period=parse_period("90")).root_causes()
    assert FollowUp.objects.filter(kind=FollowUpKind.PREVENTION).exists()
    assert Metrics(period=parse_period("90")).reissues()
    run_month = last_month()
    assert {r["code"] for r in Metrics(period=run_month).discrepancies()} >= {"missing_on_platform",
                                                                              "amount_mismatch"}
    count = history.count()
    call_command("seed_demo", invoices=40, customers=12, stdout=open(os.devnull, "w"))
    assert history.count() == count  # idempotent
    assert elapsed < 60
