"""The reissue notice says what the completed request changed, to each buyer it concerns: a partial allowance names
no new invoice and leaves the original valid for the rest; a buyer change tells the original buyer too; without a
case there is no empty "事件编号：。"."""
from decimal import Decimal

import pytest
from django.core import mail

from incidents.models import Communication
from invoices.reissue.services.reissue import invoice_reissue_request

from .. import factories
from ..files_helpers import media  # noqa: F401  (fixture)
from ..incident_helpers import open_incident
from ..reissue_helpers import approve_and_complete, blue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def test_a_partial_allowance_names_no_new_invoice_and_keeps_the_original_valid(
        seller, cs_user, finance_user, finance_user2, django_capture_on_commit_callbacks):
    buyer = factories.customer(email="ap@fengtai.example.cn", contact_name="王会计")
    original = blue(seller, buyer, "1000.00", "500.00")  # 价税合计 ¥1,695.00
    incident = open_incident(cs_user, customer=buyer, invoices=[original])
    req = invoice_reissue_request(invoice=original, actor=finance_user, reason="04", scope="partial",
                                  issue_new=False, red_lines=[{"line_no": 1, "amount": "100.00"}])
    req = approve_and_complete(req, finance_user2, django_capture_on_commit_callbacks)
    assert req.status == "completed" and req.new_invoice is None
    red = req.red_invoice
    assert red.total == Decimal("-113.00")
    [notice] = [m for m in mail.outbox if m.to == ["ap@fengtai.example.cn"]]
    body = notice.body
    assert f"发票 {original.number} 已部分红冲：红字发票 {red.number} 冲减 -¥113.00" in body
    assert "原发票其余部分仍然有效，冲减后价税合计为 ¥1,582.00" in body
    assert "原因：双方已确认销售折让。" in body
    assert "新发票号码" not in body and "重新开具的发票为" not in body and "不再有效" not in body
    assert [a[0] for a in notice.attachments] == [f"{red.number}.pdf"]  # the red invoice, named as such above
    assert f"事件编号：{incident.reference}。" in body and "进项税额转出" in body  # a 专票: deducted VAT goes out


def test_a_buyer_change_tells_both_buyers_what_concerns_them_and_no_empty_case_line(
        seller, finance_user, finance_user2, django_capture_on_commit_callbacks):
    wrong = factories.customer(name="误开公司", email="wrong@example.cn")
    right = factories.customer(name="正确购买方有限公司", email="right@example.cn")
    original = blue(seller, wrong, "1000.00")
    req = factories.reissue_request(original, finance_user, new_buyer=right)
    req = approve_and_complete(req, finance_user2, django_capture_on_commit_callbacks)
    assert req.status == "completed", req.failure
    new, red = req.new_invoice, req.red_invoice
    [to_wrong] = [m for m in mail.outbox if m.to == ["wrong@example.cn"]]
    [to_right] = [m for m in mail.outbox if m.to == ["right@example.cn"]]
    assert f"发票 {original.number}（价税合计 ¥1,130.00）已由红字发票 {red.number}" in to_wrong.body
    assert "不再开具给贵司" in to_wrong.body
    assert new.number not in to_wrong.body and "正确购买方" not in to_wrong.body and to_wrong.attachments == [
        (f"{red.number}.pdf", to_wrong.attachments[0][1], "application/pdf")]
    assert f"发票 {new.number}（价税合计 ¥1,130.00）已开具给贵司" in to_right.body
    assert "误开公司" not in to_right.body and [a[0] for a in to_right.attachments] == [f"{new.number}.pdf"]
    for message in (to_wrong, to_right):
        assert "事件编号" not in message.body and "。。" not in message.body
        assert "北京云票财务软件有限公司\n客服电话 010-6488 1234" in message.body  # signed by the desk
    assert Communication.objects.filter(invoice__in=[new, red]).count() == 2
