"""Hand-offs as queue items: the rep's 可以回复客户了 and sent-back incidents, finance's 客户在等, everyone's
follow-ups, each count opening exactly its rows; the home page and the desk poll for changes from static files."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import IncidentStatus, RootCauseCategory
from incidents.services.followups import followup_create
from incidents.services.incidents import incident_review, incident_transition
from invoices.ledger.models import Invoice, InvoiceEvent, InvoiceEventKind, SyncStatus

from .. import factories
from ..desk_helpers import finish_checklist
from ..incident_helpers import open_incident
from .test_home import cards, listed

pytestmark = pytest.mark.django_db


def platform_holds(invoice, at):
    """What a successful re-sync leaves behind: the state and its event (the worker's own path is tested apart)."""
    Invoice.objects.filter(pk=invoice.pk).update(sync_status=SyncStatus.SYNCED)
    InvoiceEvent.objects.create(invoice=invoice, kind=InvoiceEventKind.SYNC_SUCCEEDED, at=at)


def test_rep_sees_ready_to_answer_once_every_invoice_is_synced(client, cs_user, seller, customer):
    first = factories.invoice(seller_obj=seller, buyer=customer, sync_status=SyncStatus.MISSING)
    second = factories.invoice(seller_obj=seller, buyer=customer, sync_status=SyncStatus.FAILED)
    waiting = open_incident(cs_user, owner=cs_user, customer=customer, invoices=[first, second])
    incident_transition(incident=waiting, to=IncidentStatus.WAITING_PLATFORM, actor=cs_user)
    client.force_login(cs_user)
    count, url = cards(client.get("/admin/"))["Ready to answer the customer"][
        "my incidents whose invoices the platform now holds"]
    assert count == "0"
    synced_at = timezone.now() - timedelta(minutes=5)
    platform_holds(first, synced_at - timedelta(hours=1))
    assert cards(client.get("/admin/"))["Ready to answer the customer"][
        "my incidents whose invoices the platform now holds"][0] == "0"  # one still missing
    platform_holds(second, synced_at)
    response = client.get("/admin/")
    count, url = cards(response)["Ready to answer the customer"]["my incidents whose invoices the platform now holds"]
    assert count == "1" and listed(client, url) == {waiting.pk}
    card = next(c for _t, s in response.context["sections"] for c in s if c.rows and "handoff=ready" in c.rows[0].url)
    assert waiting.reference in str(card.items[0][0])
    assert timezone.localtime(synced_at).strftime("%m-%d %H:%M") in str(card.items[0][2])  # when the last one got there


def test_a_send_back_tops_the_reps_home_with_the_comment(client, cs_user, manager_user, invoice):
    incident = open_incident(cs_user, owner=cs_user, customer=invoice.buyer, invoices=[invoice])
    finish_checklist(incident, cs_user)
    incident_transition(incident=incident, to="resolved", actor=cs_user, root_cause="漏传", resolution="重推",
                        root_cause_category=RootCauseCategory.objects.first())
    incident_review(incident=incident, actor=manager_user, approve=False, comment="请先电话确认客户已查到")
    client.force_login(cs_user)
    response = client.get("/admin/")
    first_card = response.context["sections"][0][1][0]
    assert str(first_card.title) == "复核退回"  # the page is Chinese; the first card of the rep's section
    assert "请先电话确认客户已查到" in str(first_card.items[0][0])
    count, url = cards(response)["Sent back by the reviewer"]["incidents sent back to me"]
    assert count == "1" and listed(client, url) == {incident.pk}
    incident_transition(incident=incident, to="resolved", actor=cs_user, root_cause="漏传", resolution="重推")
    assert "Sent back by the reviewer" not in cards(client.get("/admin/"))  # resolved again: nothing to show


def test_finance_sees_the_invoices_customers_wait_for_oldest_sla_first(client, cs_user, finance_user, seller,
                                                                       customer):
    calm = factories.invoice(seller_obj=seller, buyer=customer, sync_status=SyncStatus.MISSING)
    urgent = factories.invoice(seller_obj=seller, buyer=customer, sync_status=SyncStatus.FAILED)
    factories.invoice(seller_obj=seller, buyer=customer, sync_status=SyncStatus.MISSING)  # nobody asked
    open_incident(cs_user, customer=customer, invoices=[calm], severity="sev4")
    open_incident(cs_user, customer=customer, invoices=[urgent], severity="sev1")
    client.force_login(finance_user)
    response = client.get("/admin/")
    count, url = cards(response)["Customers waiting"]["invoices an open incident is waiting on"]
    assert count == "2" and listed(client, url) == {calm.pk, urgent.pk}
    card = next(c for _t, s in response.context["sections"] for c in s if c.rows and "waiting=customer" in c.rows[0].url)
    assert [item[1] for item in card.items] == [reverse("admin:invoices_invoice_change", args=[pk])
                                                for pk in (urgent.pk, calm.pk)]


def test_every_person_sees_their_follow_ups_the_managers_included(client, cs_user, manager_user):
    incident = open_incident(cs_user, owner=cs_user)
    followup_create(actor=None, assignee=manager_user, title="回访：客户评分 2/5", incident=incident,
                    due_at=timezone.now() + timedelta(days=1))
    client.force_login(manager_user)
    response = client.get("/admin/")
    count, url = cards(response)["My follow-ups"]["all my open follow-ups"]
    assert count == "1" and "回访：客户评分 2/5" in response.content.decode()


def test_home_and_desk_poll_from_static_files_and_answer_their_state(client, cs_user, invoice):
    incident = open_incident(cs_user, owner=cs_user, invoices=[invoice])
    client.force_login(cs_user)
    home = client.get("/admin/").content.decode()
    assert "backoffice/home_refresh.js" in home and "<script>" not in home
    state = client.get(reverse("admin_home_state")).json()["state"]
    assert f'data-state="{state}"' in home
    desk = client.get(reverse("admin:incidents_incident_change", args=[incident.pk]))
    assert "incidents/desk_refresh.js" in desk.content.decode()
    url = reverse("admin:incidents_incident_state", args=[incident.pk])
    before = client.get(url).json()["state"]
    assert before == desk.context["desk"]["state"]
    Invoice.objects.filter(pk=invoice.pk).update(sync_status=SyncStatus.SYNCED)  # a background re-sync
    assert client.get(url).json()["state"] != before
