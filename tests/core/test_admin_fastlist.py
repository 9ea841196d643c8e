"""The big admin lists render their rows through compiled columns (core/admin/fastlist.py). These tests hold
that output to Django's own `items_for_result`, cell by cell, on rows of every shape the lists show, in both
languages, with and without preserved filters, and on a model admin with the column kinds the lists do not use."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import items_for_result
from django.contrib.admin.templatetags.admin_list import (
    result_list as django_result_list,
)
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from core.admin.fastlist import fast_result_list
from core.admin.formats import compiled_dateformat
from incidents.models import Communication, FollowUp, Incident, IncidentEvent, Team
from incidents.services.communications import communication_log
from incidents.services.followups import followup_complete, followup_create
from incidents.services.incidents import incident_transition
from incidents.services.timeline import incident_note_add
from invoices.ledger.models import Customer, Direction, Invoice
from invoices.ledger.services.issue import invoice_issue
from invoices.platform.models import SyncAttempt

from .. import factories
from ..incident_helpers import open_incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.cn", "pw")


@pytest.fixture
def rows(boss, django_user_model):
    """Invoices blue and red, every sync state the seed uses; incidents with and without customer, team and owner,
    open, breached, resolved; follow-ups open, overdue, done."""
    rep = django_user_model.objects.create_user("rep<&>", is_staff=True)  # a name that needs escaping
    team = Team.objects.create(name='团队 "A" & <B>')
    blue = factories.invoice(lines=[factories.line("1234567.89"), factories.line("0.01", "0.06")])
    invoice_issue(actor=None, seller=blue.seller, buyer=blue.buyer, kind=blue.kind, direction=Direction.RED,
                  original=blue, issued_at=blue.issued_at + timedelta(hours=1),
                  lines=[{"name": ln.name, "amount": -ln.amount, "tax_rate": ln.tax_rate,
                          "tax_amount": -ln.tax_amount} for ln in blue.lines.all()])
    factories.invoice(buyer=factories.customer(name="<b>客户</b> & Co"), remarks="")
    Invoice.objects.filter(pk=blue.pk).update(sync_status="failed")
    plain = open_incident(actor=boss, title="<script>", customer=factories.customer())
    open_incident(actor=boss, customer=factories.customer(), owner=rep, team=team)
    old = open_incident(actor=boss, title="late", seller=factories.seller())
    Incident.objects.filter(pk=old.pk).update(response_due_at=timezone.now() - timedelta(days=2),
                                              created_at=timezone.now() - timedelta(days=3))
    incident_transition(incident=plain, to="investigating", actor=boss)
    due = timezone.now() + timedelta(days=1)
    followup_create(actor=boss, title="回访 & check", due_at=due, incident=plain, customer=plain.customer)
    overdue = followup_create(actor=boss, title="overdue", due_at=timezone.now() - timedelta(hours=3),
                              customer=factories.customer(), assignee=rep)
    FollowUp.objects.filter(pk=overdue.pk).update(reminder_sent_at=timezone.now(), team=team)
    done = followup_create(actor=boss, title="done", due_at=due, customer=factories.customer())
    followup_complete(followup=done, actor=boss)
    incident_note_add(incident=plain, actor=boss, message="x" * 200 + " <i>long</i>")
    communication_log(actor=boss, customer=plain.customer, incident=plain, channel="phone", direction="inbound",
                      subject="来电 <查询>")
    communication_log(actor=boss, customer=factories.customer(contact_name=""), channel="email",
                      direction="outbound", subject="")


def _changelist(model, user, query=""):
    request = RequestFactory().get("/" + query)
    request.user = user
    changelist = admin.site._registry[model].get_changelist_instance(request)
    changelist.formset = None
    return changelist


def _assert_same_rows(changelist):
    django_rows = [list(items_for_result(changelist, row, None)) for row in changelist.result_list]
    fast = fast_result_list(changelist)
    assert django_rows, "the list must show rows for the comparison to mean anything"
    assert [list(r) for r in fast["results"]] == django_rows
    expected = django_result_list(changelist)
    assert fast["result_headers"] == expected["result_headers"]
    assert fast["num_sorted_fields"] == expected["num_sorted_fields"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("model, query", [
    (Invoice, ""), (Invoice, "?sync_status__exact=failed&o=-7"), (Incident, ""), (Incident, "?q=late"),
    (FollowUp, "?assignee=all"), (FollowUp, "?assignee=all&status__exact=open"),
    (Customer, ""), (Communication, ""), (IncidentEvent, "?kind__exact=note"), (IncidentEvent, ""),
])
def test_rows_match_django(rows, boss, model, query, language):
    with translation.override(language):
        _assert_same_rows(_changelist(model, boss, query))


class EveryKindAdmin(admin.ModelAdmin):
    """Column kinds the registered lists do not use: booleans, integers, a lambda, a property, a boolean method,
    a related lookup, a custom empty display, a date-valued method, links on a later column."""

    list_display = ["id", "operation", "attempt_no", "duration_ms", "invoice", "started_at",
                    lambda obj: obj.error or None, "invoice__number", "outcome_flag", "day", "maybe"]
    list_display_links = ["operation", "started_at"]

    @admin.display(boolean=True, description="ok?")
    def outcome_flag(self, obj):
        return obj.outcome == "synced" if obj.outcome else None

    @admin.display(description="day")
    def day(self, obj):
        return timezone.localtime(obj.started_at).date()

    @admin.display(description="maybe", empty_value="(none)")
    def maybe(self, obj):
        return obj.error_code or ""


class LineAdmin(admin.ModelAdmin):
    """Booleans, decimals of several places, blank text, a foreign key, no action checkbox."""

    list_display = ["invoice", "line_no", "name", "zero_rate_flag", "quantity", "unit_price", "amount", "tax_rate", "unit"]
    actions = None


def test_rows_match_django_on_other_column_kinds(boss):
    invoice = factories.invoice(lines=[factories.line("1000000.00", quantity=Decimal("3"), unit="台"),
                                       factories.line("5.00", "0", zero_rate_flag="exempt")])
    now = timezone.now()
    for n, (outcome, error) in enumerate([("synced", ""), ("failed", "超时 <timeout>"), ("", "")]):
        SyncAttempt.objects.create(invoice=invoice, operation="upload", outcome=outcome, attempt_no=n + 1,
                                   duration_ms=1234567 * n, error=error, error_code="E1" if error else "",
                                   started_at=now - timedelta(minutes=n))
    request = RequestFactory().get("/?o=1")
    request.user = boss
    for model_admin in (EveryKindAdmin(SyncAttempt, admin.site), LineAdmin(invoice.lines.model, admin.site)):
        for language in ("zh-hans", "en"):
            with translation.override(language):
                changelist = model_admin.get_changelist_instance(request)
                changelist.formset = None
                _assert_same_rows(changelist)


def test_compiled_dateformat_matches_django():
    from django.utils import dateformat

    moments = [timezone.now(), timezone.localtime(timezone.now()) + timedelta(days=200, hours=13)]
    for fmt in ["Y年n月j日 H:i", "N j, Y, P", r"\Y\e\s: D jS F Y g:i:s A e O", "c", "U r"]:
        for moment in moments:
            assert compiled_dateformat(fmt)(moment) == dateformat.format(moment, fmt)


def test_changelist_pages_use_the_compiled_rows(client, boss, rows):
    client.force_login(boss)
    for model in (Invoice, Incident, FollowUp):
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url, {"assignee": "all"} if model is FollowUp else {})
        assert "admin/fast_change_list.html" in [t.name for t in response.templates]
        page = response.content.decode()
        first = response.context["cl"].result_list[0]
        assert f'value="{first.pk}" class="action-select"' in page or model is Incident
        assert reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[first.pk]) in page


def test_export_button_and_actions_still_there(client, boss, rows):
    client.force_login(boss)
    page = client.get(reverse("admin:incidents_followup_changelist")).content.decode()
    assert 'name="action"' in page and "complete" in page
    invoices = client.get(reverse("admin:invoices_invoice_changelist")).content.decode()
    assert reverse("admin:invoices_invoice_import") in invoices and "resync_selected" in invoices
