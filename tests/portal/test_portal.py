"""The customer portal: lookup with a neutral answer, appeals that become incidents, the case page, the survey."""
import re
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from incidents.links import case_token, survey_token
from incidents.models import (
    EventKind,
    FollowUp,
    Incident,
    IncidentStatus,
    OpenedVia,
    RootCauseCategory,
    SatisfactionAnswer,
)
from incidents.services.incidents import incident_transition
from incidents.services.timeline import incident_note_add
from invoices.ledger.models import SyncStatus

from .. import factories
from ..desk_helpers import finish_checklist

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_limits(settings):
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def known(db):
    buyer = factories.customer(name="北京丰台医疗器械有限公司", email="ap@fengtai.example.cn", contact_name="王会计")
    invoice = factories.invoice(buyer=buyer, lines=[factories.line(amount="1000.00", rate="0.13")])
    invoice.sync_status = SyncStatus.SYNCED
    invoice.save(update_fields=["sync_status"])
    return invoice


def lookup(client, invoice=None, ip="198.51.100.1", **overrides):
    data = {"number": invoice.number if invoice else "", "code": invoice.code if invoice else "",
            "buyer_tax_id": invoice.buyer_tax_id if invoice else "", "total": str(invoice.total) if invoice else "",
            "issued_on": "", "website": ""}
    data.update(overrides)
    return client.post("/portal/", data, REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="en")


def result_block(response):
    html = response.content.decode()
    match = re.search(r'<section class="card result[^"]*" id="result".*?</section>', html, re.S)
    return match.group(0) if match else ""


def test_lookup_found_shows_status_in_words_and_files(client, known):
    response = lookup(client, known)
    html = response.content.decode()
    assert response.status_code == 200
    # Issued today: uploaded, but the national 查验平台 shows it only from tomorrow.
    tomorrow = (timezone.localtime(known.issued_at).date() + timedelta(days=1)).isoformat()
    assert f"今天已上传至税务系统。全国增值税发票查验平台自 {tomorrow} 起可以查到该发票" in html
    assert "已在税务系统可查" not in html
    assert known.number in html and "¥1,130.00" in html
    assert "/files/" in html  # signed download links
    assert "appeal/?ref=" in html
    assert "查验平台" in html


@pytest.mark.parametrize("change", [
    {"number": "2" * 20}, {"buyer_tax_id": "91110000000000000X"}, {"total": "1130.01"},
    {"total": "", "issued_on": "2001-01-01"},
])
def test_every_mismatch_gets_the_same_neutral_answer(client, known, change):
    neutral = result_block(lookup(client, None, number="3" * 20, buyer_tax_id="91110000000000000X", total="1"))
    answer = lookup(client, known, **change)
    assert answer.status_code == 200
    assert result_block(answer) == neutral
    assert "未找到匹配的发票" in neutral


def test_lookup_by_issue_date_instead_of_total(client, known):
    day = timezone.localtime(known.issued_at).date().isoformat()
    assert known.number in result_block(lookup(client, known, total="", issued_on=day))


def test_lookup_form_errors_name_the_field(client, known):
    response = lookup(client, known, number="123", total="abc")
    html = response.content.decode()
    assert response.status_code == 400
    assert "20 位" in html and "金额" in html


def test_rate_limit_per_address_and_per_number(client, known, settings):
    settings.PORTAL_RATE_LIMITS = {"lookup_address": (3, 600), "lookup_address_number": (2, 600),
                                   "lookup_number": (4, 600)}
    for _ in range(3):
        assert lookup(client, known).status_code == 200
    blocked = lookup(client, known)
    assert blocked.status_code == 429 and "请求过于频繁" in blocked.content.decode()


def test_wrong_guesses_never_lock_the_owner_out(client, known, settings):
    settings.PORTAL_RATE_LIMITS = {"lookup_address": (100, 600), "lookup_address_number": (2, 600),
                                   "lookup_number": (4, 600)}
    wrong = {"total": "1.00"}
    # One address guessing one number is stopped after its own budget ...
    assert [lookup(client, known, ip="203.0.113.7", **wrong).status_code for _ in range(3)] == [200, 200, 429]
    # ... and guesses from many addresses spend the number's budget ...
    assert [lookup(client, known, ip=f"203.0.113.{n}", **wrong).status_code for n in range(20, 23)] == [
        200, 429, 429]
    # ... yet the owner, with the right details, still finds the invoice, even from a guessing address.
    for ip in ("198.51.100.1", "203.0.113.7"):
        found = lookup(client, known, ip=ip)
        assert found.status_code == 200 and known.number in result_block(found)


def test_full_width_input_is_what_the_customer_meant(client, known):
    full = str.maketrans("0123456789.", "０１２３４５６７８９．")
    found = lookup(client, known, number=known.number.translate(full), total=str(known.total).translate(full),
                   buyer_tax_id=known.buyer_tax_id.translate(str.maketrans("0123456789ABCDEFGHJKLMNPQRTUWXY",
                                                                           "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ")))
    assert found.status_code == 200 and known.number in result_block(found)


@pytest.mark.parametrize("total", ["1e26", "1e999", "1E+5", "123456789012345.00", "NaN", "Infinity", "1.234"])
def test_absurd_totals_are_a_form_error_not_a_crash(client, known, total):
    response = lookup(client, known, total=total)
    assert response.status_code == 400 and "1234.50" in response.content.decode()


def test_appeal_from_a_found_invoice_opens_an_incident_in_the_shared_queue(client, known,
                                                                           django_capture_on_commit_callbacks):
    ref = signing.dumps(known.pk, salt="portal.appeal.invoice")
    known.buyer.email = "wang@fengtai.example.cn"  # the address the customer recorded with us
    known.buyer.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/portal/appeal/", {
            "ref": ref, "category": "not_found", "description": "北京税务系统里查不到这张发票",
            "contact_name": "王会计", "phone": "13800000000", "email": "wang@fengtai.example.cn", "website": "",
        })
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.opened_via == OpenedVia.PORTAL and incident.team is None and incident.owner is None
    assert incident.customer == known.buyer and list(incident.invoices.all()) == [known]
    # The appeal as the customer's inbound message, and the confirmation as our outbound email to the address given.
    appeal, confirmation = incident.communications.order_by("direction")
    assert (appeal.channel, appeal.direction) == ("portal", "inbound")
    assert (confirmation.channel, confirmation.direction, confirmation.contact) == (
        "email", "outbound", "wang@fengtai.example.cn")
    assert confirmation.delivery_status == "sent"
    message = mail.outbox[-1]
    assert message.to == ["wang@fengtai.example.cn"] and incident.reference in message.subject + message.body
    assert "/portal/cases/" in message.body
    case = client.get(response["Location"])
    assert incident.reference in case.content.decode()


def test_appeal_without_invoice_and_the_honeypot(client):
    ok = client.post("/portal/appeal/", {"category": "no_file", "description": "没收到文件", "contact_name": "李",
                                         "phone": "010-12345678", "numbers_given": "12345678901234567890"})
    assert ok.status_code == 302
    assert Incident.objects.get().customer is None
    bot = client.post("/portal/appeal/", {"category": "other", "description": "x", "contact_name": "bot",
                                          "phone": "1", "website": "http://spam"})
    assert bot.status_code == 200 and Incident.objects.count() == 1


def test_appeal_needs_a_way_to_reach_the_customer(client):
    response = client.post("/portal/appeal/", {"category": "other", "description": "x", "contact_name": "李"})
    assert response.status_code == 400
    assert "电话或邮箱" in response.content.decode()
    assert not Incident.objects.exists()


def appealed(client, known):
    ref = signing.dumps(known.pk, salt="portal.appeal.invoice")
    client.post("/portal/appeal/", {"ref": ref, "category": "not_found", "description": "查不到",
                                    "contact_name": "王会计", "phone": "13800000000"})
    return Incident.objects.get()


def test_case_page_hides_internal_notes_and_takes_a_message(client, known, manager_user):
    incident = appealed(client, known)
    incident_note_add(incident=incident, actor=manager_user, message="INTERNAL: buyer is difficult")
    incident_transition(incident=incident, to=IncidentStatus.WAITING_CUSTOMER, actor=manager_user)
    url = reverse("portal:case", args=[case_token(incident)])
    page = client.get(url).content.decode()
    assert "INTERNAL" not in page and manager_user.username not in page
    assert "等待您" in page
    response = client.post(url, {"message": "补充：发票号码无误", "website": ""})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.INVESTIGATING
    assert incident.events.filter(kind=EventKind.CUSTOMER_MESSAGE, message="补充：发票号码无误").exists()
    assert "补充：发票号码无误" in client.get(url).content.decode()


def test_tampered_or_expired_links_are_a_chinese_404(client, known):
    incident = appealed(client, known)
    token = case_token(incident)
    tampered = client.get(reverse("portal:case", args=[token[:-2] + "xx"]))
    assert tampered.status_code == 404 and "链接无效" in tampered.content.decode()
    assert 'href="/portal/"' in tampered.content.decode()
    later = timezone.now() + timedelta(days=91)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        assert client.get(reverse("portal:case", args=[token])).status_code == 404
    # A survey token does not open the case page, nor the other way round.
    assert client.get(reverse("portal:case", args=[survey_token(incident)])).status_code == 404
    assert client.get(reverse("portal:survey", args=[token])).status_code == 404


def resolve(incident, actor):
    finish_checklist(incident, actor)  # resolving needs every step done or skipped
    incident_transition(incident=incident, to=IncidentStatus.RESOLVED, actor=actor, root_cause="上传任务失败",
                        resolution="已重新上传", root_cause_category=RootCauseCategory.objects.first())


def test_resolving_sends_the_survey_and_one_answer_is_kept(client, known, manager_user,
                                                           django_capture_on_commit_callbacks):
    incident = appealed(client, known)
    with django_capture_on_commit_callbacks(execute=True):
        resolve(incident, manager_user)
    survey_mail = [m for m in mail.outbox if "/portal/survey/" in m.body]
    assert survey_mail and survey_mail[0].to == [known.buyer.email]
    url = re.search(r"http\S+/portal/survey/\S+/", survey_mail[0].body).group(0).split("8000", 1)[1]
    assert client.get(url).status_code == 200
    assert client.post(url, {"rating": "5", "solved": "yes", "comment": "很快"}).status_code == 302
    assert client.post(url, {"rating": "1", "solved": "no"}).status_code == 200
    answer = SatisfactionAnswer.objects.get()
    assert (answer.rating, answer.solved) == (5, True)
    assert incident.events.filter(kind=EventKind.SATISFACTION).count() == 1
    assert not FollowUp.objects.filter(incident=incident).exists()


def test_a_low_rating_opens_a_callback_for_a_manager(client, known, manager_user):
    incident = appealed(client, known)
    resolve(incident, manager_user)
    response = client.post(reverse("portal:survey", args=[survey_token(incident)]),
                           {"rating": "2", "solved": "yes", "comment": "太慢"})
    assert response.status_code == 302
    followup = FollowUp.objects.get(incident=incident)
    assert followup.assignee == manager_user
    assert timezone.localtime(followup.due_at).date() > timezone.localdate()


def test_survey_not_offered_before_resolution(client, known):
    incident = appealed(client, known)
    response = client.post(reverse("portal:survey", args=[survey_token(incident)]), {"rating": "5", "solved": "yes"})
    assert response.status_code == 400
    assert not SatisfactionAnswer.objects.exists()


def test_satisfaction_in_the_api_for_managers_only(client, known, manager_user, cs_user, api_as):
    incident = appealed(client, known)
    resolve(incident, manager_user)
    client.post(reverse("portal:survey", args=[survey_token(incident)]), {"rating": "4", "solved": "yes"})
    detail = api_as(manager_user).get(f"/api/v1/incidents/{incident.pk}/").json()
    assert detail["satisfaction"]["rating"] == 4 and detail["opened_via"] == "portal"
    listed = api_as(manager_user).get("/api/v1/satisfaction/").json()
    assert listed["results"][0]["incident_reference"] == incident.reference
    assert api_as(cs_user).get("/api/v1/satisfaction/").status_code == 403
    assert Decimal(listed["results"][0]["rating"]) == 4


def test_a_form_waiting_for_the_buyer_is_told_in_their_words_on_the_lookup_and_the_case_page(
    client, known, finance_user, finance_user2, django_capture_on_commit_callbacks
):
    from invoices.platform.sim_forms import sim_buyer_mark_used

    from ..files_helpers import on_platform
    from ..reissue_helpers import approve_and_complete, request_full

    on_platform(known)
    sim_buyer_mark_used(number=known.number)
    lines = [{"name": line.name, "amount": str(line.amount), "tax_rate": str(line.tax_rate), "tax_code": line.tax_code}
             for line in known.lines.all()]
    req = approve_and_complete(request_full(known, finance_user, new_lines=lines), finance_user2,
                               django_capture_on_commit_callbacks)
    form = req.red_letter_form
    deadline = timezone.localtime(form.lapses_at).strftime("%Y-%m-%d %H:%M")
    incident = appealed(client, known)
    for page in (result_block(lookup(client, known, HTTP_ACCEPT_LANGUAGE="zh-hans")),
                 client.get(reverse("portal:case", args=[case_token(incident)])).content.decode()):
        assert form.number in page and deadline in page and "税务数字账户" in page
        assert finance_user.username not in page and "仍然有效" in page
