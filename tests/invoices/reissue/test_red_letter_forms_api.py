"""Red-letter forms over the API, with the admin's permissions: a request's waiting form (02) shown with its label
and deadline, read back from the platform (check-form) or withdrawn (cancel); the platform unreachable or
refusing; the buyer's forms answered by two of finance."""
from datetime import datetime

import pytest

from invoices.ledger.models import InvoiceEvent
from invoices.platform.models import PlatformRedLetterForm
from invoices.platform.sim_forms import sim_buyer_answer, sim_buyer_enter, sim_buyer_mark_used
from invoices.platform.simulator import sim_settings_row
from invoices.reissue.models import RedLetterForm, ReissueRequest, ReissueStatus
from invoices.reissue.services.buyer_forms import buyer_forms_fetch

from ...reissue_helpers import blue, corrected_lines

pytestmark = pytest.mark.django_db


def _used(seller, customer, amount="1000.00"):
    """A blue invoice whose buyer confirmed use: its red-letter form waits for the buyer (02)."""
    invoice = blue(seller, customer, amount)
    sim_buyer_mark_used(number=invoice.number)
    return invoice


def _waiting_request(api_as, invoice, requester, approver, capture):
    """Requested and approved over the API; the completion job submits the form and the platform answers 02."""
    created = api_as(requester).post(f"/api/v1/invoices/{invoice.pk}/reissue-requests/", {
        "reason": "01", "new_buyer_name": "改正后的公司", "new_lines": corrected_lines(invoice)}, format="json")
    assert created.status_code == 201, created.json()
    rid = created.json()["id"]
    with capture(execute=True):
        assert api_as(approver).post(f"/api/v1/reissue-requests/{rid}/approve/").status_code == 200
    return ReissueRequest.objects.select_related("red_letter_form").get(pk=rid)


def test_a_waiting_form_is_shown_with_its_label_and_deadline_then_checked_to_completion(
    api_as, seller, customer, finance_user, finance_user2, django_capture_on_commit_callbacks
):
    req = _waiting_request(api_as, _used(seller, customer), finance_user, finance_user2,
                           django_capture_on_commit_callbacks)
    form = req.red_letter_form
    assert req.status == ReissueStatus.APPROVED and form.status == "02"

    url = f"/api/v1/reissue-requests/{req.pk}/"
    shown = api_as(finance_user).get(url).json()
    assert shown["red_letter_form"] == form.number and shown["red_letter_form_status"] == "02"
    assert shown["red_letter_form_status_label"] == "02 销方录入待购方确认"
    assert datetime.fromisoformat(shown["red_letter_form_lapses_at"]) == form.lapses_at
    english = api_as(finance_user).get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["red_letter_form_status_label"] == "02 Entered by seller, awaiting buyer's confirmation"

    # Still waiting on the platform: checking changes nothing.
    still = api_as(finance_user).post(f"{url}check-form/")
    assert still.status_code == 200 and still.json()["status"] == "approved"

    sim_buyer_answer(form.number, True)
    with django_capture_on_commit_callbacks(execute=True):
        checked = api_as(finance_user).post(f"{url}check-form/")
    assert checked.status_code == 200 and checked.json()["red_letter_form_status"] == "04"
    req.refresh_from_db()
    assert req.status == ReissueStatus.COMPLETED and req.red_invoice is not None
    assert api_as(finance_user).get(url).json()["status"] == "completed"


def test_check_form_while_the_platform_is_down_answers_503_and_changes_nothing(
    api_as, seller, customer, finance_user, finance_user2, django_capture_on_commit_callbacks
):
    req = _waiting_request(api_as, _used(seller, customer), finance_user, finance_user2,
                           django_capture_on_commit_callbacks)
    form = req.red_letter_form
    sim_buyer_answer(form.number, True)  # the buyer confirmed, but the platform cannot be asked
    row = sim_settings_row()
    row.outage = True
    row.save()
    events = InvoiceEvent.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        answer = api_as(finance_user).post(f"/api/v1/reissue-requests/{req.pk}/check-form/")
    assert answer.status_code == 503 and answer["Retry-After"]
    assert "未做任何更改" in answer.json()["detail"] and "重试" in answer.json()["detail"]
    english = api_as(finance_user).post(f"/api/v1/reissue-requests/{req.pk}/check-form/", HTTP_ACCEPT_LANGUAGE="en")
    assert "nothing was changed" in english.json()["detail"]

    req.refresh_from_db()
    form.refresh_from_db()
    assert req.status == ReissueStatus.APPROVED and req.red_invoice is None
    assert form.status == "02" and form.confirmed_at is None
    assert InvoiceEvent.objects.count() == events


def test_cancel_withdraws_a_waiting_form_on_the_platform(
    api_as, seller, customer, finance_user, finance_user2, django_capture_on_commit_callbacks
):
    req = _waiting_request(api_as, _used(seller, customer, "600.00"), finance_user, finance_user2,
                           django_capture_on_commit_callbacks)
    cancelled = api_as(finance_user2).post(f"/api/v1/reissue-requests/{req.pk}/cancel/", {}, format="json")
    assert cancelled.status_code == 200, cancelled.json()
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["red_letter_form_status"] == "08"
    assert PlatformRedLetterForm.objects.get(number=req.red_letter_form.number).status == "08"
    again = api_as(finance_user2).post(f"/api/v1/reissue-requests/{req.pk}/cancel/", {}, format="json")
    assert again.status_code == 409 and again.json()["detail"]


def test_the_platform_refusing_a_withdrawal_answers_409_with_its_message(
    api_as, seller, customer, finance_user, finance_user2, django_capture_on_commit_callbacks
):
    req = _waiting_request(api_as, _used(seller, customer), finance_user, finance_user2,
                           django_capture_on_commit_callbacks)
    number = req.red_letter_form.number
    sim_buyer_answer(number, True)  # confirmed on the platform; the back office has not read it yet
    answer = api_as(finance_user).post(f"/api/v1/reissue-requests/{req.pk}/cancel/", {}, format="json")
    assert answer.status_code == 409
    assert answer.json()["platform_code"] == "FORM_NOT_CANCELLABLE" and number in answer.json()["detail"]
    req.refresh_from_db()
    assert req.status == ReissueStatus.APPROVED and RedLetterForm.objects.get(number=number).status == "02"


def test_check_form_without_a_form_and_who_may_call_it(api_as, seller, customer, finance_user, cs_user,
                                                      manager_user):
    invoice = blue(seller, customer)
    created = api_as(finance_user).post(f"/api/v1/invoices/{invoice.pk}/reissue-requests/", {
        "reason": "01", "new_buyer_name": "改正后的公司", "new_lines": corrected_lines(invoice)}, format="json")
    rid = created.json()["id"]
    url = f"/api/v1/reissue-requests/{rid}/"
    missing = api_as(finance_user).post(f"{url}check-form/")
    assert missing.status_code == 409 and "红字" in missing.json()["detail"]
    for user in (cs_user, manager_user):
        assert api_as(user).post(f"{url}check-form/").status_code == 403
        assert api_as(user).post(f"{url}cancel/", {}, format="json").status_code == 403
    assert ReissueRequest.objects.get(pk=rid).status == ReissueStatus.REQUESTED


def test_the_buyers_form_is_answered_by_two_of_finance_over_the_api(
    api_as, seller, customer, finance_user, finance_user2, cs_user, django_capture_on_commit_callbacks
):
    original = blue(seller, customer, "1000.00")
    entered = sim_buyer_enter(original_number=original.number, reason="01")
    assert buyer_forms_fetch() == (1, 0)
    base = "/api/v1/red-letter-forms/"

    queue = api_as(finance_user).get(base, {"queue": "to_answer"}).json()["results"]
    assert [f["number"] for f in queue] == [entered.number]
    shown = queue[0]
    assert shown["status"] == "03" and shown["status_label"] == "03 购方录入待销方确认"
    assert shown["entered_by"] == "buyer" and shown["original_number"] == original.number
    assert shown["proposal"] == "" and shown["proposed_by"] is None and shown["lapses_at"]
    url = f"{base}{shown['id']}/"
    assert api_as(cs_user).get(url).status_code == 200  # reading is everyone's, as in the admin
    assert api_as(cs_user).post(f"{url}propose/", {"accept": True}, format="json").status_code == 403

    denied = api_as(finance_user).post(f"{url}propose/", {"accept": False}, format="json")
    assert denied.status_code == 400 and "note" in denied.json()  # a denial says why
    proposed = api_as(finance_user).post(f"{url}propose/", {"accept": True, "issue_new": True, "note": "客户来电确认"},
                                         format="json")
    assert proposed.status_code == 200, proposed.json()
    assert proposed.json()["proposal"] == "accept" and proposed.json()["proposed_by"] == "finance"
    assert proposed.json()["proposal_issue_new"] is True and proposed.json()["proposal_note"] == "客户来电确认"
    twice = api_as(finance_user2).post(f"{url}propose/", {"accept": False, "note": "x"}, format="json")
    assert twice.status_code == 409 and "finance" in twice.json()["detail"]

    assert api_as(finance_user).get(base, {"queue": "to_agree"}).json()["results"] == []  # never one's own
    assert [f["number"] for f in api_as(finance_user2).get(base, {"queue": "to_agree"}).json()["results"]] == [
        entered.number]

    own = api_as(finance_user).post(f"{url}agree/")
    assert own.status_code == 403 and own.json()["detail"]
    assert api_as(finance_user).post(f"{url}send-back/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        agreed = api_as(finance_user2).post(f"{url}agree/")
    assert agreed.status_code == 200, agreed.json()
    assert agreed.json()["answered_by"] == "finance2" and agreed.json()["reissue_request"]
    req = ReissueRequest.objects.get(pk=agreed.json()["reissue_request"])
    assert req.status == ReissueStatus.COMPLETED and req.original == original and req.new_invoice is not None
    assert PlatformRedLetterForm.objects.get(number=entered.number).status == "04"
    assert api_as(finance_user).get(url).json()["status"] == "04"
    assert api_as(finance_user).get(base, {"queue": "to_answer"}).json()["results"] == []


def test_a_proposal_sent_back_returns_to_the_queue(api_as, seller, customer, finance_user, finance_user2):
    original = blue(seller, customer, "1000.00")
    entered = sim_buyer_enter(original_number=original.number, reason="02")
    buyer_forms_fetch()
    url = f"/api/v1/red-letter-forms/{RedLetterForm.objects.get(number=entered.number).pk}/"
    assert api_as(finance_user2).post(f"{url}send-back/").status_code == 409  # nothing proposed yet
    api_as(finance_user).post(f"{url}propose/", {"accept": False, "note": "货物未退回"}, format="json")
    back = api_as(finance_user2).post(f"{url}send-back/")
    assert back.status_code == 200 and back.json()["proposal"] == "" and back.json()["proposed_by"] is None
    assert PlatformRedLetterForm.objects.get(number=entered.number).status == "03"


@pytest.mark.parametrize("query, field", [({"queue": "mine"}, "queue"), ({"status": "11"}, "status"),
                                          ({"entered_by": "agent"}, "entered_by")])
def test_filters_name_the_bad_parameter(api_as, finance_user, query, field):
    answer = api_as(finance_user).get("/api/v1/red-letter-forms/", query)
    assert answer.status_code == 400 and field in answer.json()


def test_filters_by_status_and_who_entered_it(
    api_as, seller, customer, finance_user, finance_user2, django_capture_on_commit_callbacks
):
    ours = _waiting_request(api_as, _used(seller, customer), finance_user, finance_user2,
                            django_capture_on_commit_callbacks).red_letter_form
    theirs = sim_buyer_enter(original_number=blue(seller, customer).number)
    buyer_forms_fetch()

    def listed(**query):
        return [f["number"] for f in api_as(finance_user).get("/api/v1/red-letter-forms/", query).json()["results"]]

    assert listed(queue="buyer_to_confirm") == [ours.number]
    assert listed(entered_by="buyer") == [theirs.number] == listed(status="03")
    assert sorted(listed()) == sorted([ours.number, theirs.number])
