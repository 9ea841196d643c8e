"""The three roles in the admin and the API: the same rules on both sides."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from incidents.models import Incident, IncidentStatus, RootCauseCategory
from incidents.services.followups import followup_create
from incidents.services.incidents import incident_transition

from ..desk_helpers import finish_checklist
from ..incident_helpers import open_incident

pytestmark = pytest.mark.django_db


def admin_client(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("role_user, list_ok, add_ok, dashboard_ok", [
    ("cs", 200, 200, 403), ("finance", 200, 403, 403), ("manager", 200, 403, 200),
], indirect=["role_user"])
def test_admin_pages_per_role(client, role_user, list_ok, add_ok, dashboard_ok):
    c = admin_client(client, role_user)
    assert c.get(reverse("admin:incidents_incident_changelist")).status_code == list_ok
    assert c.get(reverse("admin:incidents_incident_add")).status_code == add_ok
    assert c.get(reverse("admin:incidents_dashboard")).status_code == dashboard_ok
    assert c.get(reverse("admin:incidents_followup_changelist")).status_code == 200
    assert c.get(reverse("admin:incidents_incident_export")).status_code == 200


def test_open_incident_from_invoice(client, cs_user, finance_user, invoice):
    page = admin_client(client, cs_user).get(reverse("admin:invoices_invoice_change", args=[invoice.pk]))
    url = reverse("admin:incidents_incident_add") + f"?invoice={invoice.pk}"
    assert url in page.content.decode()
    form = client.get(url).context["adminform"].form
    assert form.initial["customer"] == invoice.buyer_id and form.initial["invoices"] == [invoice.pk]
    response = client.post(url, {
        "title": "查不到", "description": "", "kind": "complaint", "category": "invoice_missing", "severity": "sev3",
        "customer": invoice.buyer_id, "seller": "", "invoices": str(invoice.pk), "owner": cs_user.pk,
        "fault_started_at_0": "", "fault_started_at_1": "",
        "detected_at_0": timezone.localdate().isoformat(), "detected_at_1": "00:00:00",
        "steps-TOTAL_FORMS": "0", "steps-INITIAL_FORMS": "0", "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    incident = Incident.objects.get()
    assert list(incident.invoices.all()) == [invoice] and incident.customer == invoice.buyer
    assert incident.events.count() == 1
    client.logout()
    page = admin_client(client, finance_user).get(reverse("admin:invoices_invoice_change", args=[invoice.pk]))
    assert url not in page.content.decode()


def test_admin_workflow_views(client, cs_user, manager_user, finance_user):
    incident = open_incident(cs_user)
    c = admin_client(client, cs_user)
    r = c.post(reverse("admin:incidents_incident_transition", args=[incident.pk]), {"status": "resolved", "note": ""})
    assert r.status_code == 200 and "root_cause" in r.context["form"].errors  # refused, shown on the form
    finish_checklist(incident, cs_user)  # resolving needs every step done or skipped
    r = c.post(reverse("admin:incidents_incident_transition", args=[incident.pk]),
               {"status": "resolved", "root_cause": "税号录入错误", "resolution": "重开",
                "root_cause_category": RootCauseCategory.objects.get(code="data_entry").pk})
    assert r.status_code == 302
    assert c.get(reverse("admin:incidents_incident_review", args=[incident.pk])).status_code == 403
    c.logout()
    c = admin_client(client, finance_user)
    assert c.get(reverse("admin:incidents_incident_transition", args=[incident.pk])).status_code == 403
    assert c.post(reverse("admin:incidents_incident_note", args=[incident.pk]),
                  {"message": "已重推同步"}).status_code == 302
    c.logout()
    c = admin_client(client, manager_user)
    assert c.get(reverse("admin:incidents_dashboard") + "?days=7").status_code == 200
    r = c.post(reverse("admin:incidents_incident_review", args=[incident.pk]), {"decision": "approve", "comment": ""})
    assert r.status_code == 302
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED and incident.reviewed_by == manager_user


def test_timeline_admin_is_read_only(client, manager_user, cs_user):
    incident = open_incident(cs_user)
    event = incident.events.get()
    c = admin_client(client, manager_user)
    assert c.get(reverse("admin:incidents_incidentevent_changelist")).status_code == 200
    assert c.post(reverse("admin:incidents_incidentevent_change", args=[event.pk]), {"message": "x"}).status_code == 403
    assert c.post(reverse("admin:incidents_incidentevent_delete", args=[event.pk])).status_code == 403


def test_api_per_role(api_as, cs_user, finance_user, manager_user, customer):
    cs, fin, mgr = api_as(cs_user), api_as(finance_user), api_as(manager_user)
    r = cs.post("/api/v1/incidents/", {"title": "查不到", "category": "invoice_missing", "customer": customer.pk},
                format="json")
    assert r.status_code == 201 and r.data["reference"].startswith("INC-")
    pk = r.data["id"]
    assert fin.post("/api/v1/incidents/", {"title": "x", "category": "other"}, format="json").status_code == 403
    assert fin.get("/api/v1/incidents/?status=new").data["count"] == 1
    assert fin.post(f"/api/v1/incidents/{pk}/events/", {"message": "已重推同步"}, format="json").status_code == 201
    assert fin.post(f"/api/v1/incidents/{pk}/transition/", {"status": "investigating"}, format="json").status_code == 403
    r = cs.post(f"/api/v1/incidents/{pk}/transition/", {"status": "resolved"}, format="json")
    assert r.status_code == 400 and "root_cause" in r.data
    finish_checklist(Incident.objects.get(pk=pk), cs_user)  # resolving needs every step done or skipped
    r = cs.post(f"/api/v1/incidents/{pk}/transition/",
                {"status": "resolved", "root_cause": "录入错误", "resolution": "重开",
                 "root_cause_category": "data_entry"}, format="json")
    assert r.status_code == 200 and r.data["status"] == "resolved"
    assert cs.post(f"/api/v1/incidents/{pk}/review/", {"approve": True}, format="json").status_code == 403
    r = mgr.post(f"/api/v1/incidents/{pk}/review/", {"approve": True}, format="json")
    assert r.status_code == 200 and r.data["status"] == "closed"
    events = cs.get(f"/api/v1/incidents/{pk}/events/").data
    # The first step worked starts the work (new → investigating), then the resolution.
    assert [e["kind"] for e in events if e["kind"] != "step_done"] == ["created", "note", "status_change", "status_change",
                                                                       "review"]
    assert cs.post(f"/api/v1/incidents/{pk}/events/", {"message": "x", "at": "2999-01-01T00:00:00+08:00"},
                   format="json").status_code == 400


def test_api_rep_cannot_change_others_incident(api_as, cs_user, django_user_model):
    from core.roles import CUSTOMER_SERVICE

    from ..conftest import make_user

    other = make_user(django_user_model, "cs-b", CUSTOMER_SERVICE)
    incident = open_incident(cs_user)
    r = api_as(other).patch(f"/api/v1/incidents/{incident.pk}/", {"severity": "sev1"}, format="json")
    assert r.status_code == 403
    r = api_as(cs_user).patch(f"/api/v1/incidents/{incident.pk}/", {"severity": "sev1"}, format="json")
    assert r.status_code == 200 and r.data["severity"] == "sev1"


def test_api_followups(api_as, cs_user, manager_user, finance_user):
    incident = open_incident(cs_user)
    now = timezone.now()
    mine_overdue = followup_create(actor=cs_user, title="a", incident=incident, due_at=now - timedelta(hours=1))
    followup_create(actor=cs_user, title="b", incident=incident, due_at=now + timedelta(hours=5))
    followup_create(actor=manager_user, assignee=manager_user, title="c", incident=incident, due_at=now - timedelta(1))
    cs = api_as(cs_user)
    assert {f["title"] for f in cs.get("/api/v1/follow-ups/?assignee=me").data["results"]} == {"a", "b"}
    assert [f["title"] for f in cs.get("/api/v1/follow-ups/?assignee=me&overdue=true").data["results"]] == ["a"]
    assert cs.get("/api/v1/follow-ups/?overdue=true").data["count"] == 2
    assert api_as(finance_user).post(f"/api/v1/follow-ups/{mine_overdue.pk}/complete/").status_code == 403
    r = cs.post(f"/api/v1/follow-ups/{mine_overdue.pk}/complete/", {"notes": "客户已确认"}, format="json")
    assert r.status_code == 200 and r.data["status"] == "done"
    assert cs.post(f"/api/v1/follow-ups/{mine_overdue.pk}/complete/").status_code == 400
    r = cs.post("/api/v1/follow-ups/", {"title": "d", "incident": incident.pk, "assignee": manager_user.pk,
                                        "due_at": now.isoformat()}, format="json")
    assert r.status_code == 403


def test_api_communications(api_as, cs_user, finance_user, customer, django_capture_on_commit_callbacks):
    cs = api_as(cs_user)
    with django_capture_on_commit_callbacks(execute=True):
        r = cs.post("/api/v1/communications/", {"customer": customer.pk, "channel": "email", "direction": "outbound",
                                                "subject": "致歉", "body": "抱歉", "send": True}, format="json")
    assert r.status_code == 201
    assert cs.get(f"/api/v1/communications/{r.data['id']}/").data["delivery_status"] == "sent"
    assert api_as(finance_user).get("/api/v1/communications/?delivery_status=sent").data["count"] == 1
    assert api_as(finance_user).post("/api/v1/communications/", {}, format="json").status_code == 403
    r = cs.post("/api/v1/communications/", {"customer": customer.pk, "channel": "phone", "direction": "inbound",
                                            "send": True}, format="json")
    assert r.status_code == 400 and "send" in r.data


def test_transition_refused_for_finance_in_service(finance_user, cs_user):
    from django.core.exceptions import PermissionDenied

    incident = open_incident(cs_user)
    with pytest.raises(PermissionDenied):
        incident_transition(incident=incident, to="investigating", actor=finance_user)
