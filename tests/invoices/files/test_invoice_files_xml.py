"""The invoice XML against the structure docs/invoice-files.md documents: the table between the xml-elements
markers is read here, and a file must hold every documented element and attribute, nothing undocumented, in the
documented order, each value of its documented type; and the values are the ledger's."""
import re
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from django.conf import settings

from invoices.ledger.models import InvoiceKind
from invoices.platform.render import render

from .files_cases import HARDWARE, files, issued, reissued, software_line

pytestmark = pytest.mark.django_db

DOC = Path(settings.BASE_DIR) / "docs" / "invoice-files.md"
MONEY = r"-?\d+\.\d{2}"
TYPES = {
    "": r"",  # a container: no text of its own
    "version": r"1\.1",
    "text": r"(?s).*",
    "name": r"(?s).*\S.*",
    "number": r"\d{8,20}",
    "number?": r"(\d{8,20})?",
    "code?": r"(\d{10}|\d{12})?",
    "kind": "|".join(InvoiceKind.values),
    "kind code": r"\d{2}",
    "bool": r"true|false",
    "date": r"\d{4}-\d{2}-\d{2}",
    "datetime": r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}:\d{2}",
    "direction": r"blue|red",
    "money": MONEY,
    "decimal?": r"(-?\d+(\.\d*[1-9])?)?",
    "rate": r"0(\.\d*[1-9])?|1",
    "flag?": r"(exempt|not_taxable|export_zero)?",
    "tax code?": r"(\d{19})?",
    "qr": rf"01,\d{{2}},(\d{{10}}|\d{{12}})?,\d{{8,20}},{MONEY},\d{{8}},[0-9]*,[0-9A-F]*,",
    "capitals": r"(（负数）)?[零壹贰叁肆伍陆柒捌玖拾佰仟万亿圆角分整]+",
    "int": r"[1-9]\d*",
}


def documented():
    """[(path, type)] in the documented order; attributes are written `Element/@name`."""
    text = DOC.read_text(encoding="utf-8")
    table = text.split("<!-- xml-elements -->", 1)[1].split("<!-- /xml-elements -->", 1)[0]
    rows = []
    for line in table.splitlines():
        match = re.match(r"\|\s*`([^`]+)`\s*\|\s*([^|]*?)\s*\|", line)
        if match:
            rows.append((match.group(1), match.group(2)))
    return rows


def found(root):
    """{path: [values]} of every element and attribute in the file, and each element's children in order."""
    values, orders = {}, {}

    def walk(node, path):
        values.setdefault(path, []).append("" if len(node) else (node.text or ""))
        for name, value in node.attrib.items():
            values.setdefault(f"{path}/@{name}", []).append(value)
        orders.setdefault(path, []).append([child.tag for child in node])
        for child in node:
            walk(child, f"{path}/{child.tag}")

    walk(root, root.tag)
    return values, orders


def check_against_the_documentation(content):
    rows = documented()
    assert len(rows) > 30 and all(kind in TYPES for _path, kind in rows), "every documented type is known"
    values, orders = found(ET.fromstring(content))
    paths = [path for path, _kind in rows]
    assert set(values) <= set(paths), f"undocumented: {sorted(set(values) - set(paths))}"
    for path, kind in rows:
        assert path in values, f"missing: {path}"
        for value in values[path]:
            assert re.fullmatch(TYPES[kind], value), f"{path} = {value!r} is not {kind or 'a container'}"
    for parent, child_orders in orders.items():
        documented_children = [p[len(parent) + 1:] for p in paths
                               if p.startswith(parent + "/") and "/" not in p[len(parent) + 1:] and "@" not in p]
        for children in child_orders:
            in_order = [tag for i, tag in enumerate(children) if i == 0 or children[i - 1] != tag]
            assert in_order == [tag for tag in documented_children if tag in children], f"order under {parent}"
    return values


def test_the_types_reject_what_they_should():
    assert not re.fullmatch(TYPES["money"], "1,000.00") and not re.fullmatch(TYPES["code?"], "12345")
    assert not re.fullmatch(TYPES["rate"], "13%") and not re.fullmatch(TYPES["decimal?"], "2.50")
    assert not re.fullmatch(TYPES["name"], " ") and re.fullmatch(TYPES["capitals"], "（负数）壹佰圆整")


def test_a_red_invoice_of_a_legacy_original_holds_every_field_of_the_ledger(
        seller, customer, finance_user, finance_user2, django_capture_on_commit_callbacks):
    legacy = issued(seller, customer, [software_line("106000.00", spec="V3", unit="套")],
                    kind=InvoiceKind.VAT_SPECIAL, code="1100222130", number="01234567")
    red = reissued(legacy, finance_user, finance_user2, django_capture_on_commit_callbacks).red_invoice
    values = check_against_the_documentation(files(red, "xml")[0])
    head = "EInvoice/Header/"
    assert values[head + "InvoiceNumber"] == [red.number] and values[head + "InvoiceCode"] == [red.code]
    assert values[head + "InvoiceType/@kind"] == [red.kind] and values[head + "Direction"] == ["red"]
    assert values[head + "OriginalInvoiceCode"] == ["1100222130"]
    assert values[head + "OriginalInvoiceNumber"] == ["01234567"]
    assert values["EInvoice/Buyer/TaxID"] == [red.buyer_tax_id] and values["EInvoice/Seller/Name"] == [red.seller.name]
    assert values["EInvoice/Remarks"] == [red.remarks] and values["EInvoice/Drawer"] == [red.drawer] != [""]
    line = red.lines.get()
    row = "EInvoice/Lines/Line/"
    assert values[row + "TaxCode"] == [line.tax_code] == ["3040201010000000000"]
    assert values[row + "PrintedName"] == ["*信息技术服务*软件开发服务"] and values[row + "Spec"] == ["V3"]
    assert Decimal(values[row + "Quantity"][0]) == line.quantity
    assert Decimal(values[row + "UnitPrice"][0]) == line.unit_price
    assert Decimal(values[row + "Amount"][0]) == line.amount == Decimal("-106000.00")
    assert Decimal(values["EInvoice/Totals/Total"][0]) == red.total


def test_a_blue_invoice_with_a_zero_rate_line(seller, customer):
    invoice = issued(seller, customer, [
        software_line("1000.00"),
        {"name": "出口键盘", "tax_code": HARDWARE, "quantity": Decimal(10), "unit_price": Decimal(10),
         "amount": Decimal("100.00"), "tax_rate": Decimal(0), "zero_rate_flag": "export_zero"}],
        kind=InvoiceKind.DIGITAL_GENERAL)
    values = check_against_the_documentation(files(invoice, "xml")[0])
    assert values["EInvoice/Lines/Line/ZeroRateFlag"] == ["", "export_zero"]
    assert values["EInvoice/Lines/Line/TaxRate"] == ["0.06", "0"]
    assert values["EInvoice/Header/OriginalInvoiceNumber"] == [""] and values["EInvoice/Header/InvoiceCode"] == [""]


def test_an_undocumented_or_missing_element_fails_the_check():
    content = render({"number": "26112000000012345678", "kind": "digital_general", "direction": "blue",
                      "issued_at": "2026-12-04T10:00:00+08:00", "seller_name": "北京云启科技有限公司",
                      "seller_tax_id": "91110108551385082Q", "buyer_name": "上海远航贸易有限公司",
                      "amount": "10.00", "tax_amount": "0.60", "total": "10.60",
                      "lines": [{"name": "软件开发服务", "amount": "10.00", "tax_rate": "0.06",
                                 "tax_amount": "0.60"}]}, "xml")[0]
    check_against_the_documentation(content)
    root = ET.fromstring(content)
    ET.SubElement(root.find("Header"), "Secret").text = "x"
    with pytest.raises(AssertionError, match="undocumented"):
        check_against_the_documentation(ET.tostring(root))
    root.find("Header").remove(root.find("Header/Secret"))
    root.remove(root.find("Drawer"))
    with pytest.raises(AssertionError, match="missing: EInvoice/Drawer"):
        check_against_the_documentation(ET.tostring(root))
    drawer = ET.Element("Drawer")
    root.insert(list(root).index(root.find("Remarks")), drawer)
    with pytest.raises(AssertionError, match="order under EInvoice"):
        check_against_the_documentation(ET.tostring(root))
    root.find("Header/InvoiceType").set("kind", "receipt")
    root.remove(drawer)
    root.append(drawer)
    with pytest.raises(AssertionError, match="InvoiceType/@kind = 'receipt' is not kind"):
        check_against_the_documentation(ET.tostring(root))
