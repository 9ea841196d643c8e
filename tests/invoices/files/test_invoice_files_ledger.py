"""Files that agree with the ledger, read back as finance reads them (pdftotext): a red invoice, the red invoice of a
legacy paper 专票 and a discount (a partial red-flush) each print their remarks once, the drawer and the *简称* of
every item; long remarks are wrapped, never dropped; titles follow the 票种; negative amounts read -¥106,000.00."""
import io
import zipfile
from xml.etree import ElementTree as ET

import pytest

from invoices.ledger.models import InvoiceKind
from invoices.platform.models import PlatformInvoice
from invoices.platform.render import render
from invoices.platform.render.document import InvoiceDocument
from invoices.platform.render import pdf as pdf_module
from invoices.platform.render.pdf import qr_widget

from ...files_helpers import pdf_text
from .files_cases import HARDWARE, files, issued, reissued, software_line

pytestmark = pytest.mark.django_db
OFD_NS = {"ofd": "http://www.ofdspec.org/2016"}


def squeeze(text):
    return "".join(text.split())


@pytest.fixture
def reissue(finance_user, finance_user2, django_capture_on_commit_callbacks):
    def _reissue(original, **request):
        return reissued(original, finance_user, finance_user2, django_capture_on_commit_callbacks, **request)
    return _reissue


def assert_printed_as_the_ledger_holds(invoice, text):
    """The ledger's remarks once (the link line not repeated), the drawer, every item with its 简称."""
    text = squeeze(text)
    assert invoice.remarks and squeeze(invoice.remarks) in text
    assert text.count("被红冲蓝字") == invoice.remarks.count("被红冲蓝字") == 1
    assert invoice.drawer and f"开票人：{invoice.drawer}" in text
    for line in invoice.lines.all():
        assert f"*信息技术服务*{line.name}" in text


def test_red_invoice_of_a_digital_original(seller, customer, reissue):
    original = issued(seller, customer, [software_line("106000.00")])
    req = reissue(original)
    red = req.red_invoice
    assert red.drawer == "王芳" == req.new_invoice.drawer
    pdf, xml = files(red, "pdf", "xml")
    text = pdf_text(pdf)
    assert_printed_as_the_ledger_holds(red, text)
    assert "电子发票（增值税专用发票）" in squeeze(text)
    assert "（小写）-¥112,360.00" in squeeze(text) and "-¥106,000.00" in squeeze(text)
    assert "¥-" not in text
    root = ET.fromstring(xml)
    assert root.findtext("Remarks") == red.remarks and root.findtext("Drawer") == "王芳"
    assert root.find("Header").findtext("OriginalInvoiceNumber") == original.number
    assert root.find("Header").findtext("OriginalInvoiceCode") == ""
    # The new invoice of the reissue is printed with its drawer too.
    assert "开票人：王芳" in squeeze(pdf_text(files(req.new_invoice, "pdf")[0]))


def test_red_invoice_of_a_legacy_paper_original_carries_its_code(seller, customer, reissue):
    legacy = issued(seller, customer, [software_line("106000.00")], kind=InvoiceKind.VAT_SPECIAL,
                    code="1100222130", number="01234567")
    red = reissue(legacy).red_invoice
    sent = PlatformInvoice.objects.get(number=red.number).payload
    assert sent["original_code"] == "1100222130" and sent["original_number"] == "01234567"
    assert sent["drawer"] == "王芳"
    pdf, xml = files(red, "pdf", "xml")
    assert_printed_as_the_ledger_holds(red, pdf_text(pdf))
    header = ET.fromstring(xml).find("Header")
    assert header.findtext("OriginalInvoiceCode") == "1100222130"
    assert header.findtext("OriginalInvoiceNumber") == "01234567"


def test_discount_a_partial_red_flush(seller, customer, reissue):
    original = issued(seller, customer, [software_line("1000.00"), software_line("500.00")])
    req = reissue(original, reason="04", scope="partial", issue_new=False, new_lines=None,
                  red_lines=[{"line_no": 1, "amount": "100.00"}])
    red = req.red_invoice
    assert red.total == -106
    pdf, ofd = files(red, "pdf", "ofd")
    text = pdf_text(pdf)
    assert_printed_as_the_ledger_holds(red, text)
    assert "（小写）-¥106.00" in squeeze(text)
    with zipfile.ZipFile(io.BytesIO(ofd)) as archive:
        page = archive.read("Doc_0/Pages/Page_0/Content.xml").decode()
    assert page.count("被红冲蓝字") == 1 and "开票人：王芳" in page and "*信息技术服务*软件开发服务" in page


def test_legacy_original_shows_its_code_and_its_title(seller, customer):
    legacy = issued(seller, customer, [software_line("1000.00")], kind=InvoiceKind.VAT_ELECTRONIC_GENERAL,
                    code="011001605111", number="80100798")
    pdf, xml = files(legacy, "pdf", "xml")
    text = squeeze(pdf_text(pdf))
    assert "增值税电子普通发票" in text and "电子发票（普通发票）" not in text
    assert "发票代码：011001605111" in text and "发票号码：80100798" in text
    header = ET.fromstring(xml).find("Header")
    assert header.findtext("InvoiceCode") == "011001605111"
    assert header.find("InvoiceType").get("kindCode") == "10"


@pytest.mark.parametrize("kind,title", [
    ("digital_special", "电子发票（增值税专用发票）"), ("digital_general", "电子发票（普通发票）"),
    ("vat_special", "增值税专用发票"), ("vat_general", "增值税普通发票"),
    ("vat_electronic_special", "增值税电子专用发票"), ("vat_electronic_general", "增值税电子普通发票"),
    ("digital_paper_special", "数电纸质发票（增值税专用发票）"), ("digital_paper_general", "数电纸质发票（普通发票）"),
    ("vat_general_roll", "增值税普通发票（卷票）"), ("motor_vehicle", "机动车销售统一发票"),
    ("digital_motor_vehicle", "电子发票（机动车销售统一发票）"),
])
def test_title_by_kind(kind, title):
    assert InvoiceDocument.from_payload(payload(kind=kind)).title == title


def payload(**overrides):
    return {"number": "26112000000012345678", "code": "", "kind": "digital_general", "direction": "blue",
            "issued_at": "2026-12-04T10:00:00+08:00", "seller_name": "北京云启科技有限公司",
            "seller_tax_id": "91110108551385082Q", "buyer_name": "上海远航贸易有限公司",
            "buyer_tax_id": "91310115MA1K4HXX3A", "amount": "1000.00", "tax_amount": "60.00", "total": "1060.00",
            "remarks": "", "drawer": "李娜",
            "lines": [{"name": "软件开发服务", "tax_code": "3040201010000000000", "quantity": "2",
                       "unit_price": "500", "amount": "1000.00", "tax_rate": "0.06", "tax_amount": "60.00"}],
            **overrides}


def test_long_remarks_are_wrapped_in_the_box_not_dropped():
    remarks = "\n".join(f"第{i}行：合同编号 HT-2026-{i:04d}，项目验收后付款，联系人王经理。" for i in range(1, 7))
    text = squeeze(pdf_text(render(payload(remarks=remarks), "pdf")[0]))
    for i in range(1, 7):
        assert f"第{i}行：合同编号HT-2026-{i:04d}，项目验收后付款，联系人王经理。" in text
    assert "备注续见" not in text  # six short lines fit the box at a smaller size


def test_remarks_too_long_for_the_box_continue_on_a_page_of_their_own():
    remarks = "".join(f"[{i:03d}]本项目分期交付，每期验收合格后开具发票。" for i in range(120))
    content = render(payload(remarks=remarks), "pdf")[0]
    text = squeeze(pdf_text(content))
    assert all(f"[{i:03d}]" in text for i in range(120))  # wrapped anywhere, every piece is there
    assert "（备注续见第2页）" in text and "备注（续）" in text and "第2页共2页" in text
    root = ET.fromstring(render(payload(remarks=remarks), "xml")[0])
    assert root.findtext("Remarks") == remarks
    with zipfile.ZipFile(io.BytesIO(render(payload(remarks=remarks), "ofd")[0])) as archive:
        document = ET.fromstring(archive.read("Doc_0/Document.xml"))
        pages = [archive.read(f"Doc_0/Pages/Page_{n}/Content.xml").decode() for n in range(len(
            document.findall("ofd:Pages/ofd:Page", OFD_NS)))]
    ofd_text = "".join("".join(ET.fromstring(page).itertext()) for page in pages)
    assert len(pages) >= 2 and all(f"[{i:03d}]" in "".join(ofd_text.split()) for i in range(120))


def test_ofd_lines_have_quantity_unit_price_and_rate():
    doc = payload(lines=[
        {"name": "软件开发服务", "tax_code": "3040201010000000000", "spec": "V2", "unit": "套", "quantity": "2",
         "unit_price": "450", "amount": "900.00", "tax_rate": "0.06", "tax_amount": "54.00"},
        {"name": "出口键盘", "tax_code": HARDWARE, "unit": "个", "quantity": "10", "unit_price": "10",
         "amount": "100.00", "tax_rate": "0", "zero_rate_flag": "export_zero", "tax_amount": "0.00"}])
    with zipfile.ZipFile(io.BytesIO(render(doc, "ofd")[0])) as archive:
        page = ET.fromstring(archive.read("Doc_0/Pages/Page_0/Content.xml"))
    texts = [node.text for node in page.iter("{http://www.ofdspec.org/2016}TextCode")]
    for cell in ("*信息技术服务*软件开发服务", "V2", "套", "2", "450", "900.00", "6%", "54.00",
                 "*计算机配套产品*出口键盘", "个", "10", "100.00", "出口零税率", "0.00"):
        assert cell in texts, cell
    assert "¥1,000.00" in texts and "（小写）¥1,060.00" in texts


def test_qr_code_carries_the_verification_fields(monkeypatch):
    doc = InvoiceDocument.from_payload(payload())
    assert doc.qr_payload == "01,32,,26112000000012345678,1000.00,20261204,,,"
    assert qr_widget(doc).value == doc.qr_payload
    legacy = InvoiceDocument.from_payload(payload(kind="vat_special", code="1100222130", number="01234567",
                                                  amount="-106000.00", direction="red"))
    assert qr_widget(legacy).value == "01,01,1100222130,01234567,-106000.00,20261204,,,"
    # The PDF draws that widget on every page.
    drawn = []
    monkeypatch.setattr(pdf_module, "qr_widget", lambda doc: drawn.append(qr_widget(doc)) or drawn[-1])
    render(payload(), "pdf")
    assert [widget.value for widget in drawn] == ["01,32,,26112000000012345678,1000.00,20261204,,,"]


def test_an_original_without_a_drawer_gives_the_approvers_name(seller, customer, reissue, finance_user2):
    original = issued(seller, customer, [software_line("1000.00")], drawer="")
    req = reissue(original)
    approver = finance_user2.get_full_name() or finance_user2.get_username()
    assert approver and req.red_invoice.drawer == req.new_invoice.drawer == approver
    assert PlatformInvoice.objects.get(number=req.red_invoice.number).payload["drawer"] == approver
    assert f"开票人：{approver}" in squeeze(pdf_text(files(req.red_invoice, "pdf")[0]))
