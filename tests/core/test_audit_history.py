"""Audit history: who changed which field when, on every path that changes the tracked records (single saves,
the bulk re-sync, the set-based reconciliation update, API and admin requests), read-only in the admin."""
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from core.history import acting_as
from incidents.models import FollowUp, Incident
from invoices.ledger.models import Customer, Invoice, SyncStatus
from invoices.ledger.services.customers import customer_update
from invoices.platform.services.sync import invoices_resync_bulk
from invoices.reconciliation.pipeline.runner import execute
from invoices.reconciliation.services.apply import reconciliation_apply
from invoices.reconciliation.services.runs import reconciliation_start

from .. import factories
from ..incident_helpers import open_incident
from ..recon_helpers import PERIOD, ledger, rows_for, upload

pytestmark = pytest.mark.django_db


def latest(obj):
    return obj.history.order_by("-history_id").first()


def test_service_change_records_actor_time_and_changed_fields(finance_user):
    customer = factories.customer()
    before = timezone.now()
    with acting_as(finance_user):
        customer_update(customer=customer, actor=finance_user, email="billing@example.cn")
    new, old = customer.history.order_by("-history_id")[:2]
    assert (new.history_type, new.history_user, new.email) == ("~", finance_user, "billing@example.cn")
    assert new.history_date >= before
    assert [c.field for c in new.diff_against(old).changes] == ["email"]


def test_bulk_resync_writes_one_history_row_per_invoice_naming_the_actor(finance_user):
    seller, buyer = factories.seller(), factories.customer()
    invoices = [factories.invoice(seller_obj=seller, buyer=buyer, sync_status=SyncStatus.FAILED) for _ in range(3)]
    queued = invoices_resync_bulk(actor=finance_user, since=timezone.now() - timedelta(days=1),
                                  statuses=[SyncStatus.FAILED])
    assert queued == 3
    for inv in invoices:
        row = latest(inv)
        assert (row.history_type, row.sync_status, row.history_user) == ("~", SyncStatus.PENDING, finance_user)
        assert row.prev_record.sync_status == SyncStatus.FAILED


def test_set_based_reconciliation_update_is_in_the_history(settings, tmp_path, finance_user):
    settings.MEDIA_ROOT = tmp_path
    seller, buyer = factories.seller(), factories.customer()
    matched, missing = ledger(seller, buyer, n=2)
    run = reconciliation_start(actor=finance_user, seller=seller, period_start=PERIOD[0], period_end=PERIOD[1],
                               file=upload(rows_for([matched])))
    execute(run.pk)
    reconciliation_apply(run=run, actor=finance_user)  # the run proposes; applying writes
    for inv, status in ((matched, SyncStatus.SYNCED), (missing, SyncStatus.MISSING)):
        inv.refresh_from_db()
        row = latest(inv)
        assert inv.sync_status == status
        assert (row.sync_status, row.history_user, row.history_type) == (status, finance_user, "~")
        assert f"#{run.pk}" in row.history_change_reason
        # Every other column is the invoice as it is, not a default.
        assert (row.number, row.total, row.buyer_id) == (inv.number, inv.total, inv.buyer_id)


def test_api_request_records_the_token_user(api, cs_user):
    from rest_framework.authtoken.models import Token

    incident = open_incident(cs_user)
    api.credentials(HTTP_AUTHORIZATION="Token " + Token.objects.create(user=cs_user).key)
    assert api.patch(f"/api/v1/incidents/{incident.pk}/", {"severity": "sev2"}, format="json").status_code == 200
    row = latest(incident)
    assert (row.severity, row.history_user) == ("sev2", cs_user)


def test_task_without_actor_records_the_system(cs_user):
    from incidents.services.followups import (
        followup_create,
        followups_remind_and_escalate,
    )

    followup = followup_create(actor=cs_user, title="x", due_at=timezone.now() + timedelta(hours=1),
                               customer=factories.customer())
    followups_remind_and_escalate(now=timezone.now() + timedelta(days=3))
    row = latest(followup)
    assert row.history_type == "~" and row.history_user is None  # the scheduled job acted on its own
    assert row.reminder_sent_at is not None or row.escalated_at is not None


def test_managers_read_history_in_the_admin_and_nobody_edits_it(client, manager_user, cs_user, finance_user):
    invoice = factories.invoice()
    incident = open_incident(cs_user)
    client.force_login(manager_user)
    for url in (reverse("admin:invoices_invoice_history", args=[invoice.pk]),
                reverse("admin:incidents_incident_history", args=[incident.pk]),
                reverse("admin:invoices_customer_history", args=[invoice.buyer_id])):
        assert client.get(url).status_code == 200
    row = latest(invoice)
    form_url = reverse("admin:invoices_invoice_simple_history", args=[invoice.pk, row.history_id])
    page = client.get(form_url)
    assert page.status_code == 200 and "Revert" not in page.content.decode()
    assert client.post(form_url, {"sync_status": "synced"}).status_code == 403  # no revert, not even by POST
    assert Invoice.objects.get(pk=invoice.pk).sync_status == invoice.sync_status
    for other in (cs_user, finance_user):
        client.force_login(other)
        assert client.get(reverse("admin:invoices_invoice_history", args=[invoice.pk])).status_code == 403
    # No role may change or delete history rows; the history models have no admin of their own.
    granted = Permission.objects.filter(group__isnull=False, codename__contains="historical")
    assert granted.exists() and not granted.exclude(codename__startswith="view_").exists()
    for model in (Customer, Invoice, Incident, FollowUp):
        assert not client.get(f"/admin/{model._meta.app_label}/historical{model._meta.model_name}/").status_code == 200
