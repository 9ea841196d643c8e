import pytest
from django.core import mail
from django.urls import reverse

from invoices.reissue.models import ReissueRequest, ReissueStatus

from ...files_helpers import on_platform
from ...reissue_helpers import blue, request_full

pytestmark = pytest.mark.django_db


@pytest.fixture
def original(seller, customer):
    return blue(seller, customer, "1000.00")


def form_post(original, **over):
    line = original.lines.get()
    data = {
        "reason": "01", "scope": "full", "issue_new": "on", "new_buyer": original.buyer_id,
        "new_buyer_name": "改正后的购买方有限公司", "new_buyer_tax_id": original.buyer_tax_id, "new_remarks": "",
        "note": "客户来电：名称写错", "red-TOTAL_FORMS": "1", "red-INITIAL_FORMS": "1", "red-0-line_no": "1",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "1", "lines-0-name": line.name, "lines-0-amount": "1000.00",
        "lines-0-tax_rate": "0.13", "lines-0-quantity": "2", "lines-0-unit_price": "500", "lines-0-tax_code": line.tax_code,
    }
    data.update(over)
    return data


def test_reissue_screen_per_role(client, original, cs_user, finance_user, manager_user):
    url = reverse("admin:invoices_invoice_reissue", args=[original.pk])
    for user, status in ((cs_user, 403), (manager_user, 403), (finance_user, 200)):
        client.force_login(user)
        assert client.get(url).status_code == status
    page = client.get(reverse("admin:invoices_invoice_change", args=[original.pk])).content.decode()
    assert url in page and reverse("admin:invoices_invoice_redeliver", args=[original.pk]) in page


def test_preview_shows_old_and_new_then_submit_creates_request(client, original, finance_user):
    client.force_login(finance_user)
    url = reverse("admin:invoices_invoice_reissue", args=[original.pk])
    preview = client.post(url, {**form_post(original), "_preview": "1"})
    assert preview.status_code == 200 and not ReissueRequest.objects.exists()
    diff = preview.context["preview"]["diff"]
    assert (str(diff[0][1]), diff[0][2], diff[0][3]) == (original.buyer_name, "改正后的购买方有限公司", True)
    response = client.post(url, {**form_post(original), "_confirm": "1"})
    req = ReissueRequest.objects.get()
    assert response.status_code == 302 and response.url == reverse("admin:invoices_reissuerequest_change", args=[req.pk])
    assert req.new_buyer_name == "改正后的购买方有限公司" and req.requested_by == finance_user


def test_bad_input_is_shown_on_the_field_and_nothing_written(client, original, finance_user):
    client.force_login(finance_user)
    url = reverse("admin:invoices_invoice_reissue", args=[original.pk])
    response = client.post(url, {**form_post(original, scope="partial", **{"red-0-amount": "5000.00"}),
                                 "_confirm": "1"})
    assert response.status_code == 200 and not ReissueRequest.objects.exists()
    assert response.context["form"].errors["scope"]
    response = client.post(url, {**form_post(original, reason="02", scope="partial", **{"red-0-amount": "5000.00"}),
                                 "_confirm": "1"})
    assert "1000.00" in str(response.context["reds"].forms[0].errors["amount"])


def test_queue_and_decide_page_approve_by_a_colleague(
    client, original, finance_user, finance_user2, django_capture_on_commit_callbacks
):
    req = request_full(original, finance_user)
    client.force_login(finance_user2)
    queue = client.get(reverse("admin:invoices_reissuerequest_changelist"), follow=True)
    assert list(queue.context["cl"].result_list) == [req]
    decide = reverse("admin:invoices_reissuerequest_decide", args=[req.pk])
    page = client.get(decide).content.decode()
    assert original.number in page and "-¥1,000.00" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decide, {"action": "approve"})
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.status == ReissueStatus.COMPLETED and req.approved_by == finance_user2
    chain = client.get(reverse("admin:invoices_invoice_change", args=[original.pk])).content.decode()
    assert req.red_letter_form.number in chain and req.red_invoice.number in chain and req.new_invoice.number in chain


def test_requester_sees_no_approve_button_and_is_refused(client, original, finance_user):
    req = request_full(original, finance_user)
    client.force_login(finance_user)
    decide = reverse("admin:invoices_reissuerequest_decide", args=[req.pk])
    assert client.get(decide).context["own_request"] is True
    client.post(decide, {"action": "approve"})
    req.refresh_from_db()
    assert req.status == ReissueStatus.REQUESTED


def test_reject_needs_a_reason(client, original, finance_user, finance_user2):
    req = request_full(original, finance_user)
    client.force_login(finance_user2)
    decide = reverse("admin:invoices_reissuerequest_decide", args=[req.pk])
    assert client.post(decide, {"action": "reject", "reason": ""}).status_code == 200
    client.post(decide, {"action": "reject", "reason": "金额无误，无需重开"})
    req.refresh_from_db()
    assert req.status == ReissueStatus.REJECTED and req.decided_reason == "金额无误，无需重开"


def test_cs_can_redeliver(client, original, cs_user, django_capture_on_commit_callbacks):
    from invoices.ledger.services.customers import customer_update

    on_platform(original)
    client.force_login(cs_user)
    refused = client.post(reverse("admin:invoices_invoice_redeliver", args=[original.pk]), {"email": "new@example.cn"})
    assert refused.status_code == 200 and not mail.outbox  # not recorded on the customer yet
    customer_update(customer=original.buyer, actor=None, email="new@example.cn")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:invoices_invoice_redeliver", args=[original.pk]),
                               {"email": "new@example.cn"})
    assert response.status_code == 302 and mail.outbox[0].to == ["new@example.cn"]
