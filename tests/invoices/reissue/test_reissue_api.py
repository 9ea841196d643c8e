import threading

import pytest
from django.db import connection

from invoices.ledger.models import Invoice
from invoices.reissue.models import ReissueRequest, ReissueStatus

from ...reissue_helpers import blue, corrected_lines, reds_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def original(seller, customer):
    return blue(seller, customer, "1000.00")


def body(original, **over):
    return {"reason": "01", "new_buyer_name": "改正后的公司", "new_lines": corrected_lines(original), **over}


def test_request_then_colleague_approves_over_the_api(api_as, original, finance_user, finance_user2):
    url = f"/api/v1/invoices/{original.pk}/reissue-requests/"
    created = api_as(finance_user).post(url, body(original), format="json")
    assert created.status_code == 201, created.json()
    rid = created.json()["id"]
    assert api_as(finance_user).post(url, body(original), format="json").status_code == 409
    assert api_as(finance_user).post(f"/api/v1/reissue-requests/{rid}/approve/").status_code == 403
    approved = api_as(finance_user2).post(f"/api/v1/reissue-requests/{rid}/approve/")
    assert approved.status_code == 200
    # The APIClient request commits nothing (test transaction); completion is exercised in the
    # service tests. Here the answer shows the approval and who gave it.
    assert approved.json()["approved_by"] == "finance2"
    listing = api_as(finance_user2).get("/api/v1/reissue-requests/", {"status": approved.json()["status"]}).json()
    assert [r["id"] for r in listing["results"]] == [rid]
    assert api_as(finance_user).get(f"/api/v1/reissue-requests/{rid}/").json()["original_number"] == original.number


@pytest.mark.parametrize("patch,field", [
    ({"reason": "01", "scope": "partial", "red_lines": [{"line_no": 1, "amount": "1.00"}]}, "scope"),
    ({"reason": "02", "scope": "partial", "issue_new": False, "red_lines": [{"line_no": 9, "amount": "1.00"}]},
     "red_lines.1"),
    ({"reason": "09"}, "reason"),
    ({"new_lines": [{"name": "x", "amount": "1.00", "tax_rate": "0.17"}]}, "new.lines.1.tax_rate"),
])
def test_rule_breaks_answer_400_naming_the_rule(api_as, original, finance_user, patch, field):
    response = api_as(finance_user).post(f"/api/v1/invoices/{original.pk}/reissue-requests/",
                                         body(original, **patch), format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not ReissueRequest.objects.exists()


def test_permissions(api_as, original, cs_user, manager_user, finance_user):
    url = f"/api/v1/invoices/{original.pk}/reissue-requests/"
    assert api_as(cs_user).post(url, body(original), format="json").status_code == 403
    assert api_as(manager_user).post(url, body(original), format="json").status_code == 403
    rid = api_as(finance_user).post(url, body(original), format="json").json()["id"]
    assert api_as(manager_user).get(f"/api/v1/reissue-requests/{rid}/").status_code == 200
    assert api_as(manager_user).post(f"/api/v1/reissue-requests/{rid}/approve/").status_code == 403
    assert api_as(cs_user).post(f"/api/v1/reissue-requests/{rid}/reject/", {"reason": "x"}).status_code == 403


def test_reject_and_retry_answers(api_as, original, finance_user, finance_user2):
    rid = api_as(finance_user).post(f"/api/v1/invoices/{original.pk}/reissue-requests/", body(original),
                                    format="json").json()["id"]
    other = api_as(finance_user2)
    assert other.post(f"/api/v1/reissue-requests/{rid}/reject/", {"reason": ""}, format="json").status_code == 400
    assert other.post(f"/api/v1/reissue-requests/{rid}/retry/").status_code == 409
    rejected = other.post(f"/api/v1/reissue-requests/{rid}/reject/", {"reason": "重复申请"}, format="json")
    assert rejected.status_code == 200 and rejected.json()["status"] == ReissueStatus.REJECTED


@pytest.mark.postgres  # row locks are PostgreSQL's; SQLite serialises writers
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_approvers_at_the_same_moment_make_one_chain(seller, customer, finance_user, django_user_model):
    from django.contrib.auth.models import Group

    from core.roles import FINANCE
    from invoices.reissue.services.reissue import (
        invoice_reissue_approve,
        invoice_reissue_request,
    )

    original = blue(seller, customer, "1000.00")
    approvers = []
    for name in ("approver_a", "approver_b"):
        user = django_user_model.objects.create_user(name)
        user.groups.add(Group.objects.get(name=FINANCE))
        approvers.append(user)
    req = invoice_reissue_request(invoice=original, actor=finance_user, reason="01", new_lines=corrected_lines(original))
    barrier, results = threading.Barrier(2), []

    def approve(user):
        try:
            barrier.wait()
            invoice_reissue_approve(request=req, actor=user)
            results.append("ok")
        except Exception as exc:  # the loser's refusal is the point of the test
            results.append(type(exc).__name__)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(u,)) for u in approvers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["Conflict", "ok"]
    req.refresh_from_db()
    assert req.status == ReissueStatus.COMPLETED
    assert reds_of(original).count() == 1
    assert Invoice.objects.filter(reissued_from=req).count() == 1
