"""领取 and 开始处理 set the owner, names not logins, resolve refused while a step is open (service, admin, API),
saving lands on the desk, Chinese 403/404 pages and login whatever the browser, the notify form without English
labels, the "since…" re-sync without a ticked row, 统计周期 as a choice."""
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.roles import CUSTOMER_SERVICE
from incidents.models import IncidentEvent, IncidentStatus, RootCauseCategory
from incidents.services.incidents import incident_claim, incident_transition

from ..conftest import make_user
from ..desk_helpers import finish_checklist
from ..incident_helpers import open_incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def named_rep(django_user_model):
    return make_user(django_user_model, "cs7", CUSTOMER_SERVICE, first_name="王小明")


def test_claim_from_the_shared_queue_and_a_second_claim_is_told_who_has_it(client, named_rep, cs_user):
    unowned = open_incident(None)
    client.force_login(named_rep)
    listing = client.get(reverse("admin:incidents_incident_changelist") + "?mine=none").content.decode()
    claim_url = reverse("admin:incidents_incident_claim", args=[unowned.pk])
    assert f'formaction="{claim_url}"' in listing  # 领取 on the shared queue's row
    assert client.get(claim_url).status_code == 405  # a POST only
    response = client.post(claim_url)
    assert response["Location"] == reverse("admin:incidents_incident_change", args=[unowned.pk])
    unowned.refresh_from_db()
    assert unowned.owner == named_rep
    assert "王小明" in IncidentEvent.objects.get(incident=unowned, message_code="incident.claimed").text
    with pytest.raises(ValidationError) as refused:
        incident_claim(incident=unowned, actor=cs_user)
    assert "王小明" in str(refused.value)


def test_start_work_sets_the_owner_and_names_show_not_logins(client, named_rep):
    unowned = open_incident(None)
    client.force_login(named_rep)
    client.post(reverse("admin:incidents_incident_transition", args=[unowned.pk]), {"status": "investigating"})
    unowned.refresh_from_db()
    assert unowned.owner == named_rep and unowned.status == IncidentStatus.INVESTIGATING
    desk = client.get(reverse("admin:incidents_incident_change", args=[unowned.pk]))
    assert desk.context["desk"]["owner"] == "王小明"
    choices = [label for _v, label in desk.context["adminform"].form.fields["owner"].choices]
    assert "王小明" in choices and "cs7" not in choices
    listing = client.get(reverse("admin:incidents_incident_changelist")).content.decode()
    assert "王小明" in listing


def test_resolve_is_refused_naming_the_open_step_in_service_admin_and_api(client, api_as, cs_user):
    incident = open_incident(cs_user, owner=cs_user)
    steps = list(incident.steps.order_by("position"))
    finish_checklist(incident, cs_user)
    last = steps[-1]
    type(last).objects.filter(pk=last.pk).update(done_at=None, done_by=None, skip_reason="")
    cause = RootCauseCategory.objects.first()
    data = {"status": "resolved", "root_cause": "漏传", "resolution": "重推", "root_cause_category": cause.pk}
    with pytest.raises(ValidationError) as refused:
        incident_transition(incident=incident, to="resolved", actor=cs_user, root_cause="漏传", resolution="重推",
                            root_cause_category=cause)
    assert str(last) in refused.value.message_dict["status"][0]
    client.force_login(cs_user)
    page = client.post(reverse("admin:incidents_incident_transition", args=[incident.pk]), data)
    assert page.status_code == 200
    assert f"{last.position}. " in str(page.context["form"].errors["status"])  # the step, in the page's language
    answer = api_as(cs_user).post(f"/api/v1/incidents/{incident.pk}/transition/",
                                  {**data, "root_cause_category": cause.code}, format="json")
    assert answer.status_code == 400 and str(last) in str(answer.json()["status"])


def test_saving_on_the_desk_lands_back_on_the_desk(client, cs_user):
    incident = open_incident(cs_user, owner=cs_user)
    client.force_login(cs_user)
    url = reverse("admin:incidents_incident_change", args=[incident.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    for name in ("detected_at", "fault_started_at", "platform_recovered_at", "customer_informed_at"):
        value = form[name].value()
        local = timezone.localtime(value) if value else None
        data.pop(name, None)
        data[f"{name}_0"] = local.strftime("%Y-%m-%d") if local else ""
        data[f"{name}_1"] = local.strftime("%H:%M:%S") if local else ""
    data["invoices"] = []
    data["title"] = "改过的标题"
    response = client.post(url, {k: v for k, v in data.items() if v is not None})
    assert response.status_code == 302 and response["Location"] == url


def test_403_and_404_are_chinese_pages_with_a_way_home(client, cs_user):
    client.force_login(cs_user)
    forbidden = client.get(reverse("admin:incidents_dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert forbidden.status_code == 403
    page = forbidden.content.decode()
    assert "无权访问" in page and 'href="/admin/"' in page and "Forbidden" not in page


def test_404_template_is_chinese(client, cs_user, settings):
    settings.DEBUG = False
    client.force_login(cs_user)
    response = client.get("/admin/timeline-of-nothing/x/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and 'href="/admin/"' in page


def test_login_is_chinese_for_an_english_browser_with_the_switch_shown(client):
    page = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "用户名" in page and 'name="language"' in page
    client.cookies["django_language"] = "en"  # the switch
    assert "Username" in client.get(reverse("admin:login")).content.decode()


def test_notify_form_has_no_english_label(client, cs_user):
    incident = open_incident(cs_user, owner=cs_user)
    client.force_login(cs_user)
    page = client.get(reverse("admin:incidents_incident_notify", args=[incident.pk])).content.decode()
    assert "Confirmed" not in page and 'name="confirmed"' in page


def test_since_resync_needs_no_ticked_row(client, finance_user):
    client.force_login(finance_user)
    response = client.post(reverse("admin:invoices_invoice_changelist"),
                           {"action": "bulk_resync_from_selection", "index": "0"})
    assert response.status_code == 302 and response["Location"] == reverse("admin:invoices_invoice_resync_bulk")


def test_dashboard_period_is_a_choice_and_old_links_still_work(client, manager_user):
    client.force_login(manager_user)
    url = reverse("admin:incidents_dashboard")
    form = client.get(url, {"period": "90"}).context["form"]
    assert form["range"].value() == "90"
    assert [v for v, _l in form.fields["range"].choices] == ["7", "30", "90", "custom"]
    assert client.get(url, {"range": "custom", "period": "2026-11"}).context["period"].label
    refused = client.get(url, {"range": "custom", "period": ""})
    assert refused.status_code == 400 and "period" in refused.context["form"].errors
