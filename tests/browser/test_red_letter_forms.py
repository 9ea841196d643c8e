"""A reissue whose red-letter form waits for the buyer (02), in a real browser: finance requests, a colleague
approves; the request page says what the buyer must confirm, where and by when; the customer's portal says it in
their words; the buyer confirms in their 税务数字账户 (simulated on the platform); finance reads the form back and
the red and new invoices follow."""
import json

from .invoice_side_helpers import shoot
from .story_helpers import wait_for


def an_invoice_the_buyer_used(site):
    """A synced 数电专票 with a customer email and no reissue yet, marked on the platform as used by the buyer."""
    return json.loads(site.python("""
import json
from invoices.ledger.models import Invoice
from invoices.platform.sim_forms import sim_buyer_mark_used
from invoices.demo_story import MISSING_REMARKS, WRONG_TAX_ID_REMARKS
i = (Invoice.objects.filter(direction="blue", status="issued", sync_status="synced", kind="digital_special",
                            code="", reissue_requests__isnull=True, lines__isnull=False)
     .exclude(buyer__email="").exclude(remarks__in=[MISSING_REMARKS, WRONG_TAX_ID_REMARKS])
     .distinct().order_by("-id").first())
sim_buyer_mark_used(number=i.number)
print(json.dumps({"pk": i.pk, "number": i.number, "tax_id": i.buyer_tax_id, "total": str(i.total)}))
""").splitlines()[-1])


def _form(site, invoice):
    return site.python(
        "from invoices.reissue.models import ReissueRequest as R;"
        f"r = R.objects.filter(original_id={invoice['pk']}).select_related('red_letter_form').get();"
        "print(r.status, r.red_letter_form.number if r.red_letter_form else '-', "
        "r.red_letter_form.status if r.red_letter_form else '-')").splitlines()[-1].split()


def test_a_reissue_waits_for_the_buyers_confirmation_then_completes(site, open_as, browser, shots):
    invoice = an_invoice_the_buyer_used(site)
    page = open_as("finance")
    page.goto(f"{site.url}/admin/invoices/invoice/{invoice['pk']}/change/")
    page.get_by_role("link", name="红冲重开").first.click()
    page.wait_for_load_state()
    page.locator("#id_reason").select_option("01")
    page.locator("#id_note").fill("客户要求更正发票备注")
    page.locator("input[name=_preview]").click()
    page.wait_for_load_state()
    assert page.locator(".errornote").count() == 0, page.locator(".errornote").all_inner_texts()
    page.locator("input[name=_confirm]").click()
    page.wait_for_load_state()
    request_url = page.url

    approver = open_as("finance2")
    approver.goto(request_url)
    approver.get_by_role("link", name="审批或驳回").click()
    approver.wait_for_load_state()
    assert "税务数字账户" in approver.locator("#content").inner_text()  # the platform decides, the page says so
    approver.locator("form input[type=submit]").first.click()
    approver.wait_for_load_state()

    # The worker submits the form; the platform answers 02: the buyer must confirm.
    wait_for(site, "from invoices.reissue.models import ReissueRequest as R;"
                   f"r = R.objects.get(original_id={invoice['pk']});"
                   "print(r.red_letter_form.status if r.red_letter_form else '-')", "02",
             what="the worker to submit the red-letter form and the platform to answer 02 (buyer to confirm)")
    status, form_number, _form_status = _form(site, invoice)
    assert status == "approved"
    page.goto(request_url)
    shoot(shots, page, "form-waits-for-the-buyer")
    body = page.locator("#content").inner_text()
    assert form_number in body and "02 销方录入待购方确认" in body and "税务数字账户" in body
    assert page.get_by_role("button", name="向平台查询确认单状态").count() == 1
    assert page.get_by_role("button", name="撤销确认单并取消申请").count() == 1

    # The customer looks the invoice up: what to confirm, where, by when.
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    customer = context.new_page()
    customer.goto(site.url + "/portal/")
    customer.get_by_label("发票号码", exact=True).fill(invoice["number"])
    customer.get_by_label("购买方纳税人识别号").fill(invoice["tax_id"])
    customer.get_by_label("价税合计（元）").fill(invoice["total"])
    customer.get_by_role("button", name="查询").click()
    result = customer.locator("#result").inner_text()
    shots(customer, "portal-form-waits-for-the-buyer")
    assert form_number in result and "税务数字账户" in result and "仍然有效" in result
    context.close()

    # The buyer confirms in their 税务数字账户 (the simulated platform), and finance reads the form back.
    site.python(f"from invoices.platform.sim_forms import sim_buyer_answer; sim_buyer_answer({form_number!r}, True)")
    page.get_by_role("button", name="向平台查询确认单状态").click()
    page.wait_for_load_state()
    assert "04 购销双方已确认" in page.locator("ul.messagelist").inner_text()
    wait_for(site, "from invoices.reissue.models import ReissueRequest as R;"
                   f"r = R.objects.get(original_id={invoice['pk']});"
                   "print(r.status, bool(r.red_invoice_id), bool(r.new_invoice_id))", "completed True True",
             what="the worker to issue the red and the new invoice once the form is confirmed")
    page.reload()
    shoot(shots, page, "form-confirmed-reissue-completed")
    assert "已完成" in page.locator(".field-status").inner_text()
