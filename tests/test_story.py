"""The story that must always work: customer X cannot find invoice N in the Beijing system.

A rep finds N, verifies it (the platform does not have it), opens an incident from the invoice, apologises
from a template, ticks the playbook steps; finance re-syncs N — or, when the buyer's tax id was wrong,
reissues it with a colleague approving; the customer is told by email; a follow-up reminds the rep to call
back; the manager reads the timeline with times and actors and signs it off."""
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from incidents.models import CommunicationTemplate, FollowUp, Incident
from incidents.services.followups import followups_remind_and_escalate
from invoices.ledger.models import Invoice
from invoices.platform.models import PlatformInvoice
from invoices.platform.simulator import sim_settings_row
from invoices.reissue.models import ReissueRequest

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def beijing(db):
    return factories.seller(name="北京云票财务软件有限公司", region="北京", region_code="11")


@pytest.fixture
def customer_x(db):
    return factories.customer(name="北京丰台医疗器械有限公司", email="ap@fengtai.example.cn", contact_name="王会计")


def set_outage(on):
    row = sim_settings_row()
    row.outage = on
    row.save()


def issue_during_outage(api_as, finance_user, beijing, customer_x, capture):
    set_outage(True)
    with capture(execute=True):
        response = api_as(finance_user).post("/api/v1/invoices/", {
            "kind": "digital_special", "seller": beijing.pk, "buyer": customer_x.pk,
            "lines": [{"name": "*医疗仪器器械*血压计", "amount": "4000.00", "tax_rate": "0.13", "quantity": "10",
                       "unit_price": "400", "tax_code": "1090999000000000000"}],
        }, format="json")
    assert response.status_code == 201
    set_outage(False)
    invoice = Invoice.objects.get(pk=response.json()["id"])
    assert not PlatformInvoice.objects.filter(number=invoice.number).exists()
    return invoice


def rep_takes_the_call(client, api_as, cs_user, invoice, capture):
    """Find N, verify, open an incident from it, apologise from the template, tick the playbook steps."""
    client.force_login(cs_user)
    found = client.get(reverse("admin:invoices_invoice_changelist"), {"q": invoice.number})
    assert list(found.context["cl"].result_list) == [invoice]
    page = client.get(reverse("admin:invoices_invoice_change", args=[invoice.pk])).content.decode()
    assert reverse("admin:invoices_invoice_verify", args=[invoice.pk]) in page
    with capture(execute=True):
        client.post(reverse("admin:invoices_invoice_verify", args=[invoice.pk]))
    invoice.refresh_from_db()
    verified = invoice.events.filter(kind="verified").get()
    assert verified.data["outcome"] == "missing" and verified.actor == cs_user
    # Its upload is still queued from the outage, so the ledger keeps it pending rather than missing.
    assert invoice.sync_status == "pending"

    add = client.get(reverse("admin:incidents_incident_add"), {"invoice": invoice.pk})
    assert add.status_code == 200
    rep = api_as(cs_user)
    created = rep.post("/api/v1/incidents/", {
        "title": f"客户反映发票 {invoice.number} 在北京税务系统查不到", "category": "invoice_missing",
        "kind": "complaint", "severity": "sev2", "customer": invoice.buyer_id, "invoices": [invoice.pk],
    }, format="json")
    assert created.status_code == 201, created.json()
    incident = Incident.objects.get(pk=created.json()["id"])
    apology = CommunicationTemplate.objects.get(code="apology", language="zh-hans")
    with capture(execute=True):
        sent = rep.post("/api/v1/communications/", {
            "customer": invoice.buyer_id, "incident": incident.pk, "invoice": invoice.pk, "channel": "email",
            "direction": "outbound", "template": apology.pk, "send": True}, format="json")
    assert sent.status_code == 201, sent.json()
    assert mail.outbox[-1].to == ["ap@fengtai.example.cn"] and invoice.number in mail.outbox[-1].body
    for step in incident.steps.order_by("position")[:2]:
        with capture(execute=True):
            client.post(reverse("admin:incidents_incident_step", args=[incident.pk, step.pk]), {"note": "已核对"})
    assert incident.steps.filter(done_by=cs_user).count() == 2
    rest = incident.steps.filter(done_at__isnull=True).order_by("position")
    for step in rest:  # closing needs every step done or skipped with a reason
        client.post(reverse("admin:incidents_incident_step", args=[incident.pk, step.pk]) + "?skip=1",
                    {"reason": "本案不涉及"})
    assert not incident.steps.filter(done_at__isnull=True).exists()
    return incident


def promise_callback_and_remind(api_as, cs_user, incident, capture):
    callback = timezone.now() + timedelta(hours=2)
    logged = api_as(cs_user).post("/api/v1/communications/", {
        "customer": incident.customer_id, "incident": incident.pk, "channel": "phone", "direction": "outbound",
        "subject": "已告知客户处理进展", "callback_at": callback.isoformat()}, format="json")
    assert logged.status_code == 201, logged.json()
    followup = FollowUp.objects.get(communication_id=logged.json()["id"], assignee=cs_user)
    with capture(execute=True):
        followups_remind_and_escalate(now=callback - timedelta(minutes=30))
    followup.refresh_from_db()
    assert followup.reminder_sent_at is not None
    mine = api_as(cs_user).get("/api/v1/follow-ups/", {"assignee": "me"}).json()
    assert followup.pk in [f["id"] for f in mine["results"]]


def manager_reads_and_signs_off(api_as, client, cs_user, manager_user, incident, capture):
    rep = api_as(cs_user)
    resolved = rep.post(f"/api/v1/incidents/{incident.pk}/transition/", {
        "status": "resolved", "root_cause_category": "platform_fault", "root_cause": "上传时平台维护，发票未同步", "resolution": "平台恢复后重新同步，客户已确认可查"},
        format="json")
    assert resolved.status_code == 200, resolved.json()
    boss = api_as(manager_user)
    timeline = boss.get(f"/api/v1/incidents/{incident.pk}/events/").json()
    events = timeline if isinstance(timeline, list) else timeline["results"]
    assert all(e["at"] for e in events)
    actors = {e["actor"] for e in events}
    assert {"cs"} <= actors
    kinds = {e["kind"] for e in events}
    assert {"created", "communication", "step_done", "status_change"} <= kinds
    # The same reading in the admin: the incident page links to the whole timeline, every event with its time,
    # kind and actor, oldest first.
    client.force_login(manager_user)
    timeline_url = reverse("admin:incidents_incident_timeline", args=[incident.pk])
    assert client.get(reverse("admin:incidents_incident_change", args=[incident.pk])).status_code == 200
    page = client.get(timeline_url, {"order": "oldest"})
    rows = page.context["readonly_tables"][0]["rows"]
    assert len(rows) == len(events) == incident.events.count()
    assert all(row[0] != "-" and row[1] != "-" for row in rows)
    assert {"cs"} <= {row[2] for row in rows}
    with capture(execute=True):
        signed = boss.post(f"/api/v1/incidents/{incident.pk}/review/", {"approve": True, "comment": "处理及时"},
                           format="json")
    assert signed.status_code == 200, signed.json()
    incident.refresh_from_db()
    assert incident.status == "closed" and incident.reviewed_by == manager_user


def test_story_resync(api_as, client, beijing, customer_x, cs_user, finance_user, manager_user,
                      django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    invoice = issue_during_outage(api_as, finance_user, beijing, customer_x, capture)
    incident = rep_takes_the_call(client, api_as, cs_user, invoice, capture)
    with capture(execute=True):
        queued = api_as(finance_user).post(f"/api/v1/invoices/{invoice.pk}/sync/", {"reason": "客户来电"},
                                           format="json")
    assert queued.status_code == 202
    invoice.refresh_from_db()
    assert invoice.sync_status == "synced" and PlatformInvoice.objects.filter(number=invoice.number).count() == 1
    resolution = CommunicationTemplate.objects.get(code="resolution-notice", language="zh-hans")
    with capture(execute=True):
        told = api_as(cs_user).post(f"/api/v1/incidents/{incident.pk}/notify/", {"template": resolution.pk},
                                    format="json")
    assert told.status_code in (200, 201), told.json()
    assert any(invoice.number in m.body and m.to == ["ap@fengtai.example.cn"] for m in mail.outbox[1:])
    promise_callback_and_remind(api_as, cs_user, incident, capture)
    manager_reads_and_signs_off(api_as, client, cs_user, manager_user, incident, capture)


def test_story_wrong_tax_id_reissue(api_as, client, beijing, customer_x, cs_user, finance_user, finance_user2,
                                    manager_user, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    invoice = issue_during_outage(api_as, finance_user, beijing, customer_x, capture)
    incident = rep_takes_the_call(client, api_as, cs_user, invoice, capture)
    with capture(execute=True):  # the platform holds it (under the mistyped id): a red-letter form needs that
        assert api_as(finance_user).post(f"/api/v1/invoices/{invoice.pk}/sync/", {"reason": "客户来电"},
                                         format="json").status_code == 202
    right_id = factories.uscc()
    with capture(execute=True):
        asked = api_as(finance_user).post(f"/api/v1/invoices/{invoice.pk}/reissue-requests/", {
            "reason": "01", "new_buyer_tax_id": right_id, "note": "购方税号录入错误",
            "new_lines": [{"name": ln.name, "amount": str(ln.amount), "tax_rate": str(ln.tax_rate),
                           "tax_code": ln.tax_code} for ln in invoice.lines.all()]}, format="json")
    assert asked.status_code == 201, asked.json()
    rid = asked.json()["id"]
    assert api_as(finance_user).post(f"/api/v1/reissue-requests/{rid}/approve/").status_code == 403
    with capture(execute=True):
        approved = api_as(finance_user2).post(f"/api/v1/reissue-requests/{rid}/approve/")
    assert approved.status_code == 200
    req = ReissueRequest.objects.get(pk=rid)
    assert req.status == "completed" and req.new_invoice.buyer_tax_id == right_id
    notice = [m for m in mail.outbox if req.new_invoice.number in m.body]
    assert notice and notice[0].to == ["ap@fengtai.example.cn"]
    assert incident.events.filter(kind="reissue").exists()
    assert incident.communications.filter(subject__contains=invoice.number).count() >= 2
    promise_callback_and_remind(api_as, cs_user, incident, capture)
    manager_reads_and_signs_off(api_as, client, cs_user, manager_user, incident, capture)
