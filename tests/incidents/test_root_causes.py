"""Root-cause categories (a managed list, required to resolve) and the review step's prevention action."""
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from incidents.models import FollowUp, FollowUpKind, IncidentStatus, IncidentStep, RootCauseCategory
from incidents.services.incidents import incident_transition, incident_update
from incidents.services.steps import incident_step_done

from ..incident_helpers import open_incident
from ..reporting_helpers import cause
from ..desk_helpers import finish_checklist

pytestmark = pytest.mark.django_db


def test_seeded_list_reads_in_chinese():
    codes = list(RootCauseCategory.objects.values_list("code", flat=True))
    assert codes == ["sync_job_failed", "platform_fault", "data_entry", "network", "permission", "quota", "other"]
    with override("zh-hans"):
        assert [str(c) for c in RootCauseCategory.objects.all()] == [
            "同步任务失败", "平台故障", "录入错误", "网络", "权限", "额度", "其他"]


def test_resolve_needs_an_active_category(cs_user):
    incident = open_incident(cs_user)
    finish_checklist(incident, cs_user)
    with pytest.raises(ValidationError) as exc:
        incident_transition(incident=incident, to="resolved", actor=cs_user, root_cause="x", resolution="y")
    assert set(exc.value.message_dict) == {"root_cause_category"}
    retired = RootCauseCategory.objects.create(code="old", name="old reason", active=False)
    with pytest.raises(ValidationError) as exc:
        incident_transition(incident=incident, to="resolved", actor=cs_user, root_cause="x", resolution="y",
                            root_cause_category=retired)
    assert set(exc.value.message_dict) == {"root_cause_category"}
    incident = incident_transition(incident=incident, to="resolved", actor=cs_user, root_cause="x", resolution="y",
                                   root_cause_category=cause("quota"))
    assert incident.status == IncidentStatus.RESOLVED and incident.root_cause_category.code == "quota"
    assert incident.events.last().data["root_cause_category"] == "quota"
    with pytest.raises(ValidationError) as exc:
        incident_update(incident=incident, actor=cs_user, root_cause_category=None)
    assert "root_cause_category" in exc.value.message_dict


def test_api_names_the_field_and_accepts_a_code(api_as, cs_user):
    incident = open_incident(cs_user)
    finish_checklist(incident, cs_user)
    api = api_as(cs_user)
    url = f"/api/v1/incidents/{incident.pk}/transition/"
    r = api.post(url, {"status": "resolved", "root_cause": "x", "resolution": "y"}, format="json")
    assert r.status_code == 400 and "root_cause_category" in r.data
    r = api.post(url, {"status": "resolved", "root_cause": "x", "resolution": "y", "root_cause_category": "nope"},
                 format="json")
    assert r.status_code == 400 and "root_cause_category" in r.data
    r = api.post(url, {"status": "resolved", "root_cause": "x", "resolution": "y", "root_cause_category": "network"},
                 format="json")
    assert r.status_code == 200 and r.data["root_cause_category"] == "network"


def test_admin_transition_form_requires_category(client, cs_user):
    incident = open_incident(cs_user)
    finish_checklist(incident, cs_user)
    client.force_login(cs_user)
    url = reverse("admin:incidents_incident_transition", args=[incident.pk])
    r = client.post(url, {"status": "resolved", "root_cause": "x", "resolution": "y"})
    assert r.status_code == 200 and "root_cause_category" in r.context["form"].errors
    r = client.post(url, {"status": "resolved", "root_cause": "x", "resolution": "y",
                          "root_cause_category": cause("network").pk})
    assert r.status_code == 302


def _review_step(incident):
    return IncidentStep.objects.get(incident=incident, records_prevention=True)


def test_review_step_records_prevention_follow_up(cs_user, manager_user):
    incident = open_incident(cs_user)
    step = _review_step(incident)
    with pytest.raises(ValidationError) as exc:
        incident_step_done(step=step, actor=cs_user)
    assert set(exc.value.message_dict) == {"prevention_action", "prevention_owner", "prevention_due_at"}
    due = timezone.now() + timedelta(days=7)
    incident_step_done(step=step, actor=cs_user, prevention_action="录入税号增加校验位检查",
                       prevention_owner=manager_user, prevention_due_at=due)
    followup = FollowUp.objects.get(incident=incident, kind=FollowUpKind.PREVENTION)
    assert followup.assignee == manager_user and followup.due_at == due and followup.title == "录入税号增加校验位检查"
    step.refresh_from_db()
    assert step.done_at is not None
    other = IncidentStep.objects.filter(incident=incident, records_prevention=False).first()
    incident_step_done(step=other, actor=cs_user)  # ordinary steps ask for nothing more
    assert FollowUp.objects.filter(incident=incident).count() == 1


def test_admin_review_step_form(client, cs_user, manager_user):
    incident = open_incident(cs_user)
    step = _review_step(incident)
    client.force_login(cs_user)
    url = reverse("admin:incidents_incident_step", args=[incident.pk, step.pk])
    r = client.post(url, {"note": ""})
    assert r.status_code == 200 and "prevention_action" in r.context["form"].errors
    due = timezone.localtime(timezone.now() + timedelta(days=3)).strftime("%Y-%m-%d %H:%M")
    r = client.post(url, {"prevention_action": "平台维护公告订阅", "prevention_owner": manager_user.pk,
                          "prevention_due_at": due})
    assert r.status_code == 302
    assert FollowUp.objects.get(incident=incident).kind == FollowUpKind.PREVENTION
