"""What the portal tells a customer about an invoice, on a phone, for each state the ledger can hold: partly
red-flushed (still valid for the rest), a voided paper invoice, a red invoice, one issued today (not yet on the
national 查验平台) and one not yet uploaded (no file to download)."""
import json

import pytest

from .conftest import PHONE
from .story_helpers import wait_for, wait_until

SETUP = """
import json
from decimal import Decimal
from django.contrib.auth import get_user_model
from django.utils import timezone
from invoices.ledger.models import Invoice, InvoiceKind, SyncStatus
from invoices.ledger.services.issue import invoice_issue, invoice_void
from invoices.reissue.services.reissue import invoice_reissue_approve, invoice_reissue_request

User = get_user_model()
finance, finance2 = User.objects.get(username="finance"), User.objects.get(username="finance2")
base = Invoice.objects.filter(direction="blue", status="issued", sync_status="synced", kind="digital_general",
                              code="").exclude(reissue_requests__isnull=False).order_by("-issued_at", "-id").first()
line = {"name": "软件维护服务", "tax_code": "3040201010000000000", "unit": "项", "quantity": Decimal("1"),
        "unit_price": Decimal("1000.00"), "amount": Decimal("1000.00"), "tax_rate": Decimal("0.06")}
partial = invoice_reissue_request(invoice=base, actor=finance, reason="04", scope="partial", issue_new=False,
                                  red_lines=[{"line_no": 1, "amount": "10.00"}])
invoice_reissue_approve(request=partial, actor=finance2)
paper = invoice_issue(actor=finance, seller=base.seller, buyer=base.buyer, kind=InvoiceKind.VAT_GENERAL,
                      code="011002200111", number="%08d" % (90000000 + base.pk % 1000000), lines=[line],
                      sync_status=SyncStatus.SYNCED)
invoice_void(invoice=paper, actor=finance, reason="开票有误")
today = invoice_issue(actor=finance, seller=base.seller, buyer=base.buyer, kind=InvoiceKind.DIGITAL_GENERAL,
                      lines=[line], sync_status=SyncStatus.SYNCED)
red = Invoice.objects.filter(direction="red").exclude(pk__in=Invoice.objects.filter(original=base).values("pk"))\
    .order_by("id").first()
waiting = Invoice.objects.filter(direction="blue", sync_status__in=["failed", "not_sent"], code="",
                                 kind="digital_general").order_by("id").first()


def card(i):
    i.refresh_from_db()
    return {"number": i.number, "code": i.code, "tax_id": i.buyer_tax_id, "total": str(i.total)}


print(json.dumps({"partial": card(base), "request": partial.pk, "void": card(paper), "today": card(today),
                  "red": card(red), "red_of": red.original.number, "waiting": card(waiting)}))
"""


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="zh-CN", viewport=PHONE, timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def look_up(page, site, invoice):
    page.goto(site.url + "/portal/")
    page.get_by_label("发票号码", exact=True).fill(invoice["number"])
    if invoice["code"]:
        page.get_by_label("发票代码（仅税控发票填写）").fill(invoice["code"])
    page.get_by_label("购买方纳税人识别号").fill(invoice["tax_id"])
    page.get_by_label("价税合计（元）").fill(invoice["total"])
    page.get_by_role("button", name="查询").click()
    return page.locator("#result").inner_text()


def test_each_state_of_an_invoice_reads_true_on_a_phone(site, phone, shots):
    data = json.loads(site.python(SETUP))
    wait_until(site, "from invoices.reissue.models import ReissueRequest;"
                     f"print('done' if ReissueRequest.objects.get(pk={data['request']}).status == 'completed' else '')",
               what="the partial red-flush (reason 04) completing on the simulated platform")

    text = look_up(phone, site, data["partial"])
    assert "冲减了其中" in text and "该发票其余部分仍然有效" in text and "不再有效" not in text
    shots(phone, "portal-partly-red-flushed")

    text = look_up(phone, site, data["void"])
    assert "该纸质发票已作废，不再有效。" in text and "红冲" not in text
    assert "纸质发票原件已交付购买方" in text or "纸质发票" in text
    shots(phone, "portal-voided-paper")

    text = look_up(phone, site, data["red"])
    assert f"这是一张红字（负数）发票，用于冲销发票 {data['red_of']}" in text
    shots(phone, "portal-red-invoice")

    wait_for(site, f"from invoices.ledger.models import Invoice; print(Invoice.objects.get(number={data['today']['number']!r}).sync_status)",
             "synced", what="the worker uploading today's invoice")
    text = look_up(phone, site, data["today"])
    assert "今天已上传至税务系统。全国增值税发票查验平台自" in text and "已在税务系统可查" not in text
    shots(phone, "portal-issued-today")

    text = look_up(phone, site, data["waiting"])
    assert "尚未同步到税务系统" in text and "发票上传至税务系统后，即可在此下载发票文件。" in text
    assert phone.get_by_role("link", name="下载 PDF").count() == 0
    shots(phone, "portal-not-uploaded")
