"""Timeline events are facts: a code and parameters, rendered in the reader's language on the desk, the whole
timeline, the event admin and the API; legacy rows show their stored message."""
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from core.event_texts import TEXTS, fact
from incidents.models import EventKind, FollowUp, IncidentEvent
from incidents.services.communications import communication_log
from incidents.services.followups import followup_create
from incidents.services.incidents import incident_transition
from incidents.services.invoice_facts import invoice_sync_failed_record
from incidents.services.steps import incident_step_done, incident_step_skip

from ..event_text_helpers import translated_event_texts
from ..incident_helpers import open_incident

pytestmark = pytest.mark.django_db

EN = "Status new → investigating. 客户来电"
ZH = "状态 新建 → 排查中。客户来电"


@pytest.fixture
def started(cs_user):
    """An incident taken up while English is active, with the rep's note on the status change."""
    with translation.override("en"):
        incident = open_incident(cs_user)
        incident_transition(incident=incident, to="investigating", actor=cs_user, note="客户来电")
    return incident


def status_event(incident):
    return incident.events.get(kind=EventKind.STATUS_CHANGE)


def test_an_event_written_in_english_reads_in_the_readers_language(started):
    event = status_event(started)
    assert event.message == "" and event.message_code == "incident.status_note"
    assert event.params == {"a": "new", "b": "investigating", "note": "客户来电"}  # codes, not their labels
    with translation.override("zh-hans"):
        assert event.text == ZH
    with translation.override("en"):
        assert event.text == EN


def test_the_desk_and_the_whole_timeline_show_events_in_the_readers_language(client, started, cs_user):
    client.force_login(cs_user)
    for url in (reverse("admin:incidents_incident_change", args=[started.pk]),
                reverse("admin:incidents_incident_timeline", args=[started.pk]),
                reverse("admin:incidents_incidentevent_change", args=[status_event(started).pk])):
        client.cookies.pop("django_language", None)
        zh = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()  # the desk is Chinese whatever the browser
        client.cookies["django_language"] = "en"  # the language switch
        en = client.get(url).content.decode()
        assert ZH in zh and EN not in zh, url
        assert EN in en and ZH not in en, url
        assert "incident.status_note" not in zh + en  # the code is not for readers


def test_the_api_gives_the_text_in_the_requests_language_with_its_code_and_parameters(api_as, started, cs_user):
    client = api_as(cs_user)
    for language, text in (("zh-hans", ZH), ("en", EN)):
        events = client.get(f"/api/v1/incidents/{started.pk}/events/", HTTP_ACCEPT_LANGUAGE=language).json()
        status = [e for e in events if e["kind"] == "status_change"]
        assert status == [{**status[0], "message": text, "message_code": "incident.status_note",
                           "params": {"a": "new", "b": "investigating", "note": "客户来电"}}]
    note = client.post(f"/api/v1/incidents/{started.pk}/events/", {"message": "已致电"}, format="json")
    assert note.status_code == 201 and note.json()["message"] == "已致电" and note.json()["message_code"] == ""


def test_a_reason_from_the_invoice_side_reads_in_the_readers_language(invoice):
    reason = fact("invoice.sync.rejected", code="TAX_ID_NOT_REGISTERED", m="购方税号未登记")
    with translation.override("en"):
        [incident] = invoice_sync_failed_record(invoice_ids=[invoice.pk], reason=reason, code="TAX_ID_NOT_REGISTERED")
    event = incident.events.get(message_code="incident.sync_failed")
    with translation.override("zh-hans"):
        assert event.text == "1 张发票同步失败：平台拒绝：TAX_ID_NOT_REGISTERED 购方税号未登记 TAX_ID_NOT_REGISTERED"
    with translation.override("en"):
        assert event.text.startswith("Sync failed for 1 invoice(s): Rejected by the platform: TAX_ID_NOT_REGISTERED")


def test_a_3000_character_reason_is_kept_whole(started, cs_user):
    reason = "此步骤不适用：" * 428 + "见备注。"
    assert len(reason) == 3000
    step = started.steps.order_by("position").first()
    incident_step_skip(step=step, actor=cs_user, reason=reason)
    event = started.events.get(message_code="incident.step.skipped")
    with translation.override("en"):
        assert event.text.endswith(f" — {reason}")


def test_long_notes_reach_the_follow_up_whole_and_a_too_long_prevention_action_is_refused(started, cs_user,
                                                                                          customer):
    body = "客户说明：" + "发票已在税务系统查到，" * 100  # longer than the 500 characters it used to be cut to
    communication_log(actor=cs_user, customer=customer, incident=started, channel="phone", direction="inbound",
                      body=body, callback_at=timezone.now() + timedelta(days=1))
    assert FollowUp.objects.get(incident=started).notes == body
    review = started.steps.get(records_prevention=True)
    with pytest.raises(ValidationError) as exc:
        incident_step_done(step=review, actor=cs_user, prevention_action="核" * 201, prevention_owner=cs_user,
                           prevention_due_at=timezone.now() + timedelta(days=7))
    assert "prevention_action" in exc.value.message_dict


def test_follow_up_events_name_people_not_logins(started, cs_user):
    cs_user.first_name, cs_user.last_name = "小红", "王"
    cs_user.save()
    followup_create(actor=cs_user, title="回电", due_at=timezone.now() + timedelta(days=1), incident=started)
    event = started.events.get(message_code="incident.followup.created")
    assert event.params["who"] == cs_user.get_full_name() and cs_user.username not in event.text


def test_a_legacy_row_or_an_unknown_code_shows_its_stored_message_never_json_or_an_id(started, client, cs_user):
    legacy = IncidentEvent.objects.create(incident=started, kind=EventKind.NOTE, message="旧记录：已回电")
    gone = IncidentEvent.objects.create(incident=started, kind=EventKind.SYNC, message_code="incident.gone",
                                        params={"id": 98765}, message="已停用的说明")
    broken = IncidentEvent.objects.create(incident=started, kind=EventKind.SYNC,
                                          message_code="incident.status", params={"a": {"x": 98765}})
    with translation.override("en"):
        assert (legacy.text, gone.text, broken.text) == ("旧记录：已回电", "已停用的说明", "sync")
    client.force_login(cs_user)
    page = client.get(reverse("admin:incidents_incident_timeline", args=[started.pk])).content.decode()
    assert "旧记录：已回电" in page and "已停用的说明" in page and "98765" not in page


def test_every_incident_event_code_has_its_chinese_text():
    codes = [code for code in TEXTS if code.startswith("incident.")]
    assert len(codes) >= 30
    with translation.override(None):
        msgids = {code: str(TEXTS[code].template) for code in codes}
    with translation.override("zh-hans"):
        assert [code for code in codes if str(TEXTS[code].template) == msgids[code]] == []


def test_no_incident_service_writes_an_event_in_the_writers_language():
    assert translated_event_texts(["incidents"]) == []
