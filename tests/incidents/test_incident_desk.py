"""The incident page as a desk: header, actions where the work is, invoice events on the timeline, the checklist
gate on closing, a closed incident read-only, notify with a preview, no duplicate confirmation follow-up."""
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from incidents.models import CommunicationTemplate, FollowUp, IncidentStatus, RootCauseCategory, TemplatePurpose
from incidents.services.incidents import incident_review, incident_transition
from incidents.services.notify import incident_notify_customers
from incidents.services.steps import incident_step_done
from incidents.services.timeline import incident_note_add
from invoices.ledger.models import InvoiceEvent, InvoiceEventKind

from ..desk_helpers import finish_checklist
from ..incident_helpers import open_incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident(cs_user, invoice):
    return open_incident(cs_user, owner=cs_user, customer=invoice.buyer, invoices=[invoice])


def change_url(incident):
    return reverse("admin:incidents_incident_change", args=[incident.pk])


def test_desk_header_shows_who_what_how_late_and_the_invoices(client, cs_user, incident, invoice):
    client.force_login(cs_user)
    response = client.get(change_url(incident))
    desk = response.context["desk"]
    assert desk["reference"] == incident.reference and desk["customer"] == invoice.buyer.name
    assert desk["invoices"][0]["number"] == invoice.number
    html = response.content.decode()
    assert f'href="/admin/invoices/invoice/{invoice.pk}/change/">{invoice.number}</a>' in html
    assert [v for v, _label in desk["statuses"]][0] == IncidentStatus.INVESTIGATING  # the usual next step first


def test_log_a_call_from_the_desk_prefills_incident_and_customer(client, cs_user, incident):
    client.force_login(cs_user)
    url = client.get(change_url(incident)).context["desk"]["call_url"]
    form = client.get(url).context["adminform"].form
    assert str(form["incident"].value()) == str(incident.pk)
    assert str(form["customer"].value()) == str(incident.customer_id)
    assert form["channel"].value() == "phone"
    assert incident.reference in client.get(url).content.decode()  # picked by reference, not by database id


def test_starting_work_moves_new_to_investigating(client, cs_user, incident):
    client.force_login(cs_user)
    response = client.post(reverse("admin:incidents_incident_transition", args=[incident.pk]),
                           {"status": "investigating"})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.INVESTIGATING


def test_ticking_the_first_step_starts_work(cs_user, incident):
    step = incident.steps.order_by("position").first()
    assert step is not None, "the invoice_missing playbook is reference data"
    incident_step_done(step=step, actor=cs_user)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.INVESTIGATING


def test_skipping_needs_a_reason_and_closing_needs_every_step(client, cs_user, manager_user, incident):
    step = incident.steps.order_by("position").first()
    client.force_login(cs_user)
    url = reverse("admin:incidents_incident_step", args=[incident.pk, step.pk]) + "?skip=1"
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    # Resolving checks the checklist first, naming the step left open, so the sign-off is never refused for it.
    with pytest.raises(ValidationError) as refused:
        incident_transition(incident=incident, to="resolved", actor=cs_user, root_cause="漏传", resolution="重推",
                            root_cause_category=RootCauseCategory.objects.first())
    assert str(step) in refused.value.message_dict["status"][0]
    assert client.post(url, {"reason": "客户已自行核对"}).status_code == 302
    step.refresh_from_db()
    assert step.skip_reason == "客户已自行核对" and step.done_by == cs_user
    finish_checklist(incident, cs_user)
    incident_transition(incident=incident, to="resolved", actor=cs_user, root_cause="漏传", resolution="重推",
                        root_cause_category=RootCauseCategory.objects.first())
    assert incident_review(incident=incident, actor=manager_user, approve=True).status == IncidentStatus.CLOSED


def test_a_closed_incident_is_read_only_except_reopening(client, cs_user, manager_user, incident):
    finish_checklist(incident, cs_user)
    incident_transition(incident=incident, to="resolved", actor=cs_user, root_cause="漏传", resolution="重推",
                        root_cause_category=RootCauseCategory.objects.first())
    incident_review(incident=incident, actor=manager_user, approve=True)
    client.force_login(manager_user)
    response = client.get(change_url(incident))
    assert not response.context["has_change_permission"]
    desk = response.context["desk"]
    assert "statuses" not in desk and "call_url" not in desk and desk["reopen_url"].endswith("?to=investigating")
    with pytest.raises(ValidationError):
        incident_note_add(incident=incident, actor=manager_user, message="补一句")
    form = client.get(desk["reopen_url"]).context["form"]
    assert [v for v, _label in form.fields["status"].choices] == ["investigating"]
    response = client.post(desk["reopen_url"], {"status": "investigating", "note": "客户又来电"})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.INVESTIGATING


def test_notify_shows_the_rendered_email_before_sending(client, cs_user, incident, invoice):
    template = CommunicationTemplate.objects.filter(purpose=TemplatePurpose.APOLOGY, active=True).first()
    client.force_login(cs_user)
    url = reverse("admin:incidents_incident_notify", args=[incident.pk])
    preview = client.post(url, {"template": template.pk})
    assert preview.status_code == 200 and len(mail.outbox) == 0
    (customer, subject, body), = preview.context["previews"]
    assert customer == invoice.buyer and "{" not in subject + body
    assert body.splitlines()[0] in preview.content.decode()
    sent = client.post(url, {"template": template.pk, "confirmed": "True"})
    assert sent.status_code == 302
    assert incident.communications.count() == 1


def test_notifying_twice_leaves_one_confirmation_follow_up(cs_user, incident):
    templates = CommunicationTemplate.objects.filter(active=True).order_by("id")
    incident_notify_customers(incident=incident, template=templates[0], actor=cs_user)
    incident_notify_customers(incident=incident, template=templates[1], actor=cs_user)
    assert FollowUp.objects.filter(incident=incident, status="open").count() == 1


def test_invoice_events_appear_on_the_incident_timeline(client, cs_user, incident, invoice):
    InvoiceEvent.objects.create(invoice=invoice, kind=InvoiceEventKind.SYNC_SUCCEEDED, actor=None,
                                message="re-sync accepted", at=timezone.now())
    client.force_login(cs_user)
    tables = {t["id"]: t for t in client.get(change_url(incident)).context["readonly_tables"]}
    rows = tables["incidentevent-table"]["rows"]
    assert any(f"{invoice.number}: re-sync accepted" in str(row[3]) for row in rows)


@pytest.mark.parametrize("who,shown", [("manager", True), ("cs", False)])
def test_dashboard_button_on_the_incident_list_for_reviewers(client, manager_user, cs_user, who, shown):
    client.force_login(manager_user if who == "manager" else cs_user)
    html = client.get(reverse("admin:incidents_incident_changelist")).content.decode()
    assert (reverse("admin:incidents_dashboard") in html) is shown
    assert html.count(reverse("admin:incidents_dashboard")) <= 1


def test_add_follow_up_from_the_desk_prefills_incident_and_customer(client, cs_user, incident):
    client.force_login(cs_user)
    url = client.get(change_url(incident)).context["desk"]["followup_url"]
    response = client.get(url)
    form = response.context["adminform"].form
    assert str(form["incident"].value()) == str(incident.pk)
    assert str(form["customer"].value()) == str(incident.customer_id)
    assert incident.reference in response.content.decode()


def test_under_the_desk_only_what_the_desk_does_not_show(client, cs_user, incident):
    """The desk says the reference, status, SLA, owner, customer and invoices; the form under it does not say them
    again (owner, customer and invoices are changed in a closed section of their own), and no field comes twice."""
    from django.contrib.admin.utils import flatten_fieldsets

    client.force_login(cs_user)
    fieldsets = client.get(change_url(incident)).context["adminform"].fieldsets
    names = flatten_fieldsets(fieldsets)
    assert len(names) == len(set(names)), names
    shown = flatten_fieldsets([fs for fs in fieldsets if "collapse" not in fs[1].get("classes", ())])
    assert not {"reference", "status", "sla_state", "response_due_at", "resolve_due_at"} & set(names)
    assert not {"owner", "customer", "invoices"} & set(shown)
    assert {"title", "description", "severity"} <= set(shown)
    assert "root_cause" not in shown  # resolving asks for it (the desk's action); open once resolved
    finish_checklist(incident, cs_user)
    incident_transition(incident=incident, to="resolved", actor=cs_user, root_cause="漏传", resolution="重推",
                        root_cause_category=RootCauseCategory.objects.first())
    fieldsets = client.get(change_url(incident)).context["adminform"].fieldsets
    shown = flatten_fieldsets([fs for fs in fieldsets if "collapse" not in fs[1].get("classes", ())])
    assert {"root_cause_category", "root_cause", "resolution"} <= set(shown)


def test_the_add_page_is_the_whole_form_as_before(client, cs_user, invoice):
    from django.contrib.admin.utils import flatten_fieldsets

    from incidents.admin.incidents import IncidentAdmin

    client.force_login(cs_user)
    response = client.get(reverse("admin:incidents_incident_add") + f"?invoice={invoice.pk}")
    assert flatten_fieldsets(response.context["adminform"].fieldsets) == IncidentAdmin.ADD_FIELDS
    assert response.context["adminform"].form["invoices"].value() == [invoice.pk]


def _post_back(client, url, **edits):
    """Post the change form as a Chinese browser does: every field as shown (times to the minute), with `edits`."""
    form = client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            value = [str(v) for v in value]
        if hasattr(value, "tzinfo"):
            local = timezone.localtime(value)
            data[f"{name}_0"], data[f"{name}_1"] = local.strftime("%Y-%m-%d"), local.strftime("%H:%M")
            continue
        data[name] = value
    return client.post(url, {**data, **edits}, HTTP_ACCEPT_LANGUAGE="zh-hans")


def test_saving_the_form_under_the_desk_records_what_the_rep_changed_by_its_name(client, cs_user, incident):
    from incidents.models import Incident

    Incident.objects.filter(pk=incident.pk).update(
        fault_started_at=incident.detected_at.replace(second=42, microsecond=123456) - timezone.timedelta(hours=1))
    client.force_login(cs_user)
    response = _post_back(client, change_url(incident), title="发票查不到（已核对号码）")
    assert response.status_code == 302
    event = incident.events.filter(kind="updated").get()
    assert list(event.data["changes"]) == ["title"]  # the times the page showed to the minute did not change
    with translation.override("zh-hans"):  # the text is rendered when read, in the reader's language
        assert event.text == "已修改：标题", event.text  # named as the page names it, not `title`


def test_a_closed_incident_does_not_offer_to_change_its_owner_customer_or_invoices(client, cs_user, manager_user,
                                                                                   incident):
    from django.contrib.admin.utils import flatten_fieldsets

    finish_checklist(incident, cs_user)
    incident_transition(incident=incident, to="resolved", actor=cs_user, root_cause="漏传", resolution="重推",
                        root_cause_category=RootCauseCategory.objects.first())
    incident_review(incident=incident, actor=manager_user, approve=True)
    client.force_login(manager_user)
    fieldsets = client.get(change_url(incident)).context["adminform"].fieldsets
    assert not {"owner", "customer", "invoices"} & set(flatten_fieldsets(fieldsets))
    shown = flatten_fieldsets([fs for fs in fieldsets if "collapse" not in fs[1].get("classes", ())])
    assert {"root_cause", "resolution", "reviewed_by", "satisfaction_display"} <= set(shown)
