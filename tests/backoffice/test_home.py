"""工作台: each role's home page counts its work queues, and each count opens the list of exactly those rows."""
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from core.roles import CUSTOMER_SERVICE
from incidents.models import FollowUp, RootCauseCategory
from incidents.services.followups import followup_create
from incidents.services.incidents import incident_transition
from invoices.ledger.models import SyncStatus
from invoices.reissue.models import ReissueRequest

from .. import factories
from ..conftest import make_user
from ..desk_helpers import finish_checklist
from ..incident_helpers import open_incident
from ..reissue_helpers import blue, request_full


@pytest.fixture
def cs2_user(django_user_model):
    return make_user(django_user_model, "cs2", CUSTOMER_SERVICE)


def cards(response):
    """{card title: {row label: (count text, url)}} from the page's context."""
    out = {}
    with translation.override("en"):  # the request left Chinese active; the labels are lazy
        for _title, section in response.context["sections"]:
            for card in section:
                out[str(card.title)] = {str(r.label): (str(r.count), r.url) for r in card.rows}
    return out


def listed(client, url):
    """The primary keys the changelist at `url` shows (admin result list)."""
    response = client.get(url)
    assert response.status_code == 200, url
    assert "e=1" not in response.get("Location", ""), url
    return {obj.pk for obj in response.context["cl"].result_list}


@pytest.mark.django_db
def test_rep_home_counts_link_to_the_same_rows(client, cs_user, cs2_user):
    now = timezone.now()
    mine = open_incident(actor=cs_user, owner=cs_user)
    open_incident(actor=cs2_user, owner=cs2_user)  # someone else's: not in "my open incidents"
    unowned = open_incident(actor=None)
    overdue = followup_create(actor=cs_user, assignee=cs_user, title="call back", incident=mine,
                              due_at=now - timedelta(hours=2))
    followup_create(actor=None, assignee=cs2_user, title="not mine", incident=mine, due_at=now - timedelta(hours=2))
    client.force_login(cs_user)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert response.templates[0].name == "admin/home.html"
    found = cards(response)
    incidents = found["My open incidents, most urgent first"]
    count, url = incidents["my open incidents"]
    assert count == "1" and listed(client, url) == {mine.pk}
    count, url = incidents["shared queue: open incidents nobody owns"]
    assert count == "1" and listed(client, url) == {unowned.pk}
    count, url = found["My follow-ups"]["overdue"]
    assert count == "1" and listed(client, url) == {overdue.pk}
    assert mine.reference in response.content.decode()
    assert "/admin/all/" in response.content.decode()


@pytest.mark.django_db
def test_finance_home_never_offers_own_request_for_approval(client, finance_user, finance_user2, seller, customer):
    other = request_full(blue(seller, customer), finance_user2)
    request_full(blue(seller, customer), finance_user)  # my own: not in my approval queue
    stuck = factories.invoice(seller_obj=seller, buyer=customer, sync_status=SyncStatus.PENDING,
                              issued_at=timezone.now() - timedelta(hours=5))
    factories.invoice(seller_obj=seller, buyer=customer, sync_status=SyncStatus.PENDING, issued_at=timezone.now())
    client.force_login(finance_user)
    found = cards(client.get("/admin/"))
    count, url = found["Reissue requests"]["waiting for my approval"]
    assert count == "1" and listed(client, url) == {other.pk}
    assert ReissueRequest.objects.count() == 2
    count, url = found["Invoices and the tax platform"]["pending too long"]
    assert count == "1" and listed(client, url) == {stuck.pk}


@pytest.mark.django_db
def test_manager_home_review_queue_and_overdue_by_assignee(client, manager_user, cs_user):
    incident = open_incident(actor=cs_user, owner=cs_user)
    followup_create(actor=cs_user, assignee=cs_user, title="late", incident=incident,
                    due_at=timezone.now() - timedelta(days=1))
    client.force_login(manager_user)
    response = client.get("/admin/")
    found = cards(response)
    assert found["Incidents"]["resolved, waiting for review"][0] == "0"
    finish_checklist(incident, cs_user)
    incident_transition(incident=incident, to="resolved", actor=cs_user, root_cause="漏传", resolution="重推",
                        root_cause_category=RootCauseCategory.objects.first())
    response = client.get("/admin/")
    assert cards(response)["Incidents"]["resolved, waiting for review"][0] == "1"
    change = f"/admin/incidents/incident/{incident.pk}/change/"
    assert f'href="{change}"' in response.content.decode()  # signed off from the home page, one click away
    with translation.override("en"):
        overdue = [card for _t, section in response.context["sections"] for card in section
                   if str(card.title) == "Overdue follow-ups by assignee"][0]
    (label, url, n, _urgent), = overdue.items
    assert n == 1 and listed(client, url) == set(FollowUp.objects.values_list("pk", flat=True))
    assert "/admin/incidents/incident/dashboard/" in response.content.decode()


@pytest.mark.django_db
def test_home_page_is_chinese_and_full_list_stays_reachable(client, cs_user):
    client.force_login(cs_user)
    with_zh = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "工作台" in with_zh and "全部功能" in with_zh and "Invoice back office" not in with_zh
    full = client.get("/admin/all/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Model name" not in full and "Add link" not in full and "Change or view list link" not in full
