"""The reissue form as a finance clerk uses it (issue 15): it starts from the original's lines written as people
write them, rows can be removed, the untouched extra row is ignored, the difference is a table, and the error
banner speaks Chinese."""
from decimal import Decimal

import pytest
from django.urls import reverse

from core.admin.written import plain_number
from invoices.ledger.forms import rate_choice
from invoices.ledger.models import InvoiceKind
from invoices.reissue.models import ReissueRequest

from ... import factories
from ...reissue_helpers import request_full

pytestmark = pytest.mark.django_db


@pytest.fixture
def original(seller, customer):
    return factories.invoice(seller_obj=seller, buyer=customer, kind=InvoiceKind.DIGITAL_SPECIAL, lines=[
        factories.line("1000.00", "0.13", quantity=Decimal(2), unit_price=Decimal(500)),
        factories.line("300.00", "0.00", quantity=Decimal(3), unit_price=Decimal(100), name="*图书*技术手册"),
    ])


def as_browser_posts(original, **over):
    """What Chromium posts for the untouched form: the original's two rows and the empty extra row, whose tax-rate
    select still sends its first option."""
    data = {
        "reason": "01", "scope": "full", "issue_new": "on", "new_buyer": original.buyer_id,
        "new_buyer_name": original.buyer_name, "new_buyer_tax_id": original.buyer_tax_id, "new_remarks": "",
        "note": "购买方税号写错", "red-TOTAL_FORMS": "2", "red-INITIAL_FORMS": "2", "red-0-line_no": "1",
        "red-1-line_no": "2", "lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "2",
    }
    for n, line in enumerate(original.lines.order_by("line_no")):
        data.update({f"lines-{n}-name": line.name, f"lines-{n}-amount": str(line.amount),
                     f"lines-{n}-tax_rate": rate_choice(line.tax_rate),
                     f"lines-{n}-quantity": plain_number(line.quantity),
                     f"lines-{n}-unit_price": plain_number(line.unit_price), f"lines-{n}-tax_code": line.tax_code,
                     f"lines-{n}-zero_rate_flag": line.zero_rate_flag,
                     f"lines-{n}-spec": "", f"lines-{n}-unit": "", f"lines-{n}-tax_amount": ""})
    data.update({"lines-2-name": "", "lines-2-amount": "", "lines-2-tax_rate": "0.13", "lines-2-quantity": "",
                 "lines-2-unit_price": "", "lines-2-tax_code": "", "lines-2-spec": "", "lines-2-unit": "",
                 "lines-2-tax_amount": ""})
    data.update(over)
    return data


def url(original):
    return reverse("admin:invoices_invoice_reissue", args=[original.pk])


def test_the_untouched_extra_row_is_ignored(client, original, finance_user):
    client.force_login(finance_user)
    response = client.post(url(original), {**as_browser_posts(original), "_confirm": "1"})
    assert response.status_code == 302, response.context["lines"].errors
    assert len(ReissueRequest.objects.get().new_lines) == 2


def test_a_removed_row_is_left_out_of_the_replacement(client, original, finance_user):
    client.force_login(finance_user)
    response = client.post(url(original), {**as_browser_posts(original, **{"lines-1-DELETE": "on"}), "_confirm": "1"})
    assert response.status_code == 302
    lines = ReissueRequest.objects.get().new_lines
    assert [line["name"] for line in lines] == [original.lines.get(line_no=1).name]
    assert "DELETE" not in lines[0]


def test_the_form_starts_from_the_lines_written_as_people_write_them(client, original, finance_user):
    client.force_login(finance_user)
    lines = client.get(url(original)).context["lines"]
    first, second = lines.forms[0], lines.forms[1]
    assert first["quantity"].value() == "2" and first["unit_price"].value() == "500"
    assert first["tax_rate"].value() == "0.13"
    # A zero rate is the select's "0%" option, not a value the select does not have.
    assert second["tax_rate"].value() == "0.00"
    page = client.get(url(original)).content.decode()
    assert "2.0000000000000" not in page and 'value="0.00" selected' in page


def test_the_difference_is_a_table_of_lines_with_amounts_and_rates(client, original, finance_user):
    client.force_login(finance_user)
    response = client.post(url(original), {**as_browser_posts(original, **{
        "new_buyer_tax_id": "91110108MA0123456G", "lines-0-amount": "900.00", "lines-0-unit_price": "450"}),
        "_preview": "1"})
    preview = response.context["preview"]
    assert preview["lines"][0]["old"] == ["*信息技术服务*软件维护服务", "2", "500", "¥1,000.00", "13%", "¥130.00"]
    assert preview["lines"][0]["new"][3] == ("¥900.00", True) and preview["lines"][0]["new"][4] == ("13%", False)
    assert preview["lines"][1]["old"][4] == "0%"
    page = response.content.decode()
    assert "×" not in page and "¥1,469.00" not in page and "¥1,430.00" in page  # 1000 + 130 + 300 before


def test_the_error_banner_is_in_chinese(client, original, finance_user):
    client.force_login(finance_user)
    response = client.post(url(original), {**as_browser_posts(original, **{"lines-0-amount": "abc"}),
                                           "_preview": "1"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    page = response.content.decode()
    assert "Please correct" not in page and "请更正以下错误" in page


def test_request_and_decide_pages_show_lines_as_tables_and_invoices_by_number(client, original, finance_user,
                                                                              finance_user2):
    req = request_full(original, finance_user)
    client.force_login(finance_user2)
    for name in ("admin:invoices_reissuerequest_change", "admin:invoices_reissuerequest_decide"):
        page = client.get(reverse(name, args=[req.pk])).content.decode()
        assert "[{" not in page and "&quot;" not in page and f"#{req.pk}" not in page, name
        assert "¥1,000.00" in page and "×" not in page and " + " not in page, name
    assert f"#{req.pk}" not in str(req) and original.number in str(req)
    queue = client.get(reverse("admin:invoices_reissuerequest_changelist") + "?status__exact=requested")
    assert original.number in queue.content.decode()
