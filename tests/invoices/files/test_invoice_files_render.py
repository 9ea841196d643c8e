"""The simulated platform's files: the PDF's text through pdftotext, the XML against its documented structure,
the OFD package, and a red invoice pointing at its original."""
import io
import zipfile
from decimal import Decimal
from xml.etree import ElementTree as ET

import pytest

from invoices.ledger.capitals import amount_in_capitals
from invoices.ledger.models import InvoiceKind
from invoices.platform.gateway import get_gateway
from invoices.platform.render.xml import build_tree

from ... import factories
from ...files_helpers import on_platform, pdf_text

pytestmark = pytest.mark.django_db

LINES = [
    factories.line("12345.67", "0.13", name="*信息技术服务*软件维护服务", spec="V2", unit="项"),
    factories.line("200.00", "0.06", name="*现代服务*技术咨询费"),
]


@pytest.fixture
def special(seller, customer):
    invoice = factories.invoice(seller_obj=seller, buyer=customer, kind=InvoiceKind.DIGITAL_SPECIAL, lines=LINES,
                                drawer="王芳")
    on_platform(invoice)
    return invoice


def squeeze(text):
    return "".join(text.split())


def test_pdf_text_has_number_parties_lines_and_both_totals(special):
    found = get_gateway().download(special, "pdf")
    assert found.content_type == "application/pdf" and found.content.startswith(b"%PDF")
    assert found.filename == f"{special.number}.pdf"
    text = squeeze(pdf_text(found.content))
    assert "电子发票（增值税专用发票）" in text
    assert f"发票号码：{special.number}" in text and "开票日期：" in text
    for name, tax_id in ((special.buyer_name, special.buyer_tax_id), (special.seller.name, special.seller.tax_id)):
        assert f"名称：{name}" in text and tax_id in text
    for heading in ("项目名称", "规格型号", "单位", "数量", "单价", "金额", "税率/征收率", "税额", "合计", "备注"):
        assert heading in text
    for line in special.lines.all():
        assert line.name in text and f"{line.amount:,.2f}" in text and f"{line.tax_amount:,.2f}" in text
    assert "13%" in text and "6%" in text
    assert f"（小写）¥{special.total:,.2f}" in text
    assert amount_in_capitals(special.total) in text and "价税合计（大写）" in text
    assert "开票人：王芳" in text


def test_the_font_is_embedded():
    from invoices.platform.render import render

    payload = {"number": "1", "kind": "digital_general", "issued_at": "2026-01-01T00:00:00+08:00", "amount": "1",
               "tax_amount": "0", "total": "1", "lines": []}
    content, _type = render(payload, "pdf")
    assert b"/FontFile2" in content  # the TrueType program itself is inside the file, not a reference to one


def test_general_invoice_title_and_many_lines_continue_on_more_pages(seller, customer):
    invoice = factories.invoice(seller_obj=seller, buyer=customer,
                                lines=[factories.line("10.00", name=f"*服务*项目{i:02d}") for i in range(12)])
    on_platform(invoice)
    text = squeeze(pdf_text(get_gateway().download(invoice, "pdf").content))
    assert "电子发票（普通发票）" in text and "第2页共2页" in text
    assert all(f"*服务*项目{i:02d}" in text for i in range(12))


def test_xml_carries_the_invoice(special):
    found = get_gateway().download(special, "xml")
    assert found.content_type == "application/xml"
    root = ET.fromstring(found.content)
    assert root.tag == "EInvoice" and root.get("version") == "1.1"
    assert [child.tag for child in root] == ["Header", "Buyer", "Seller", "Lines", "Totals", "Remarks", "Drawer"]
    header = root.find("Header")
    assert header.findtext("InvoiceNumber") == special.number
    assert header.find("InvoiceType").get("special") == "true" and header.findtext("Direction") == "blue"
    assert header.findtext("OriginalInvoiceNumber") == ""
    assert root.find("Buyer").findtext("TaxID") == special.buyer_tax_id
    assert root.find("Seller").findtext("Name") == special.seller.name
    lines = root.find("Lines").findall("Line")
    assert [ln.get("no") for ln in lines] == ["1", "2"]
    assert lines[0].findtext("TaxRate") == "0.13" and lines[0].findtext("Amount") == "12345.67"
    totals = root.find("Totals")
    assert Decimal(totals.findtext("Total")) == special.total
    assert sum(Decimal(ln.findtext("Amount")) for ln in lines) == Decimal(totals.findtext("Amount"))
    assert totals.findtext("TotalInCapitals") == amount_in_capitals(special.total)


def test_red_invoice_is_marked_and_points_at_its_original(special):
    remarks = f"被红冲蓝字数电发票号码：{special.number} 红字发票信息确认单编号：26118000000000000001"
    payload = {**on_platform(special).payload, "number": "26110000000000000099", "direction": "red",
               "original_number": special.number, "amount": "-100.00", "tax_amount": "-13.00", "total": "-113.00",
               "remarks": remarks,
               "lines": [{"name": "*信息技术服务*软件维护服务", "amount": "-100.00", "tax_rate": "0.13",
                          "tax_amount": "-13.00"}]}
    from invoices.platform.render import render

    root = ET.fromstring(render(payload, "xml")[0])
    assert root.find("Header").findtext("Direction") == "red"
    assert root.find("Header").findtext("OriginalInvoiceNumber") == special.number
    assert root.find("Totals").findtext("TotalInCapitals") == "（负数）壹佰壹拾叁圆整"
    assert root.findtext("Remarks") == remarks
    text = squeeze(pdf_text(render(payload, "pdf")[0]))
    # The remarks the ledger holds, once: the renderer adds no link line of its own.
    assert text.count(f"被红冲蓝字数电发票号码：{special.number}") == 1 and "（小写）-¥113.00" in text


def test_ofd_is_a_package_with_its_document_and_the_xml(special):
    found = get_gateway().download(special, "ofd")
    assert found.content_type == "application/ofd"
    with zipfile.ZipFile(io.BytesIO(found.content)) as archive:
        names = set(archive.namelist())
        assert {"OFD.xml", "Doc_0/Document.xml", "Doc_0/Pages/Page_0/Content.xml"} <= names
        ofd = ET.fromstring(archive.read("OFD.xml"))
        assert ofd.find(".//{http://www.ofdspec.org/2016}DocRoot").text == "Doc_0/Document.xml"
        page = archive.read("Doc_0/Pages/Page_0/Content.xml").decode()
        assert special.number in page and special.buyer_name in page
        attached = ET.fromstring(archive.read("Doc_0/Attachs/original_invoice.xml"))
        assert attached.find("Header").findtext("InvoiceNumber") == special.number


def test_no_such_invoice_on_the_platform_is_none(invoice):
    assert get_gateway().download(invoice, "pdf") is None
    with pytest.raises(ValueError):
        get_gateway().download(invoice, "docx")


def test_build_tree_needs_no_database():
    from invoices.platform.render.document import InvoiceDocument

    doc = InvoiceDocument.from_payload({"number": "9", "kind": "vat_general", "issued_at": "2026-01-01T00:00:00+00:00",
                                        "amount": "0.50", "tax_amount": "0", "total": "0.50"})
    assert build_tree(doc).find("Totals").findtext("TotalInCapitals") == "伍角"
    assert doc.issued_date == "2026年01月01日"  # 08:00 in Shanghai
