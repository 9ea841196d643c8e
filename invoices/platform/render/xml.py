"""The invoice as XML, every field the ledger holds, in the structure docs/invoice-files.md documents element
by element (root <EInvoice version="1.1">; tests/invoices/files/test_invoice_files_xml.py checks files against
that table). Every element is always written, empty when the invoice has no such value, so a reader never has
to guess whether a field is missing or blank."""
from xml.etree import ElementTree as ET

from invoices.platform.render.document import plain

VERSION = "1.1"


def _sub(parent, tag, text="", **attrs):
    node = ET.SubElement(parent, tag, {k: str(v) for k, v in attrs.items()})
    node.text = "" if text is None else str(text)
    return node


def _money(value):
    return "" if value is None else f"{value:.2f}"


def build_tree(doc):
    root = ET.Element("EInvoice", {"version": VERSION})
    header = ET.SubElement(root, "Header")
    _sub(header, "InvoiceNumber", doc.number)
    _sub(header, "InvoiceCode", doc.code)
    _sub(header, "InvoiceType", doc.title, kind=doc.kind, kindCode=doc.kind_code,
         special="true" if doc.special else "false")
    _sub(header, "IssueDate", doc.issued_at.date().isoformat())
    _sub(header, "IssueTime", doc.issued_at.isoformat())
    _sub(header, "Direction", "red" if doc.red else "blue")
    _sub(header, "OriginalInvoiceCode", doc.original_code if doc.red else "")
    _sub(header, "OriginalInvoiceNumber", doc.original_number if doc.red else "")
    _sub(header, "QRCode", doc.qr_payload)
    for tag, name, tax_id in (("Buyer", doc.buyer_name, doc.buyer_tax_id), ("Seller", doc.seller_name, doc.seller_tax_id)):
        party = ET.SubElement(root, tag)
        _sub(party, "Name", name)
        _sub(party, "TaxID", tax_id)
    lines = ET.SubElement(root, "Lines")
    for index, line in enumerate(doc.lines, start=1):
        node = ET.SubElement(lines, "Line", {"no": str(index)})
        _sub(node, "Name", line.name)
        _sub(node, "PrintedName", line.printed_name)
        _sub(node, "TaxCode", line.tax_code)
        _sub(node, "Spec", line.spec)
        _sub(node, "Unit", line.unit)
        _sub(node, "Quantity", plain(line.quantity))
        _sub(node, "UnitPrice", plain(line.unit_price))
        _sub(node, "Amount", _money(line.amount))
        _sub(node, "TaxRate", "" if line.tax_rate is None else f"{line.tax_rate.normalize():f}")
        _sub(node, "ZeroRateFlag", line.zero_rate_flag)
        _sub(node, "TaxAmount", _money(line.tax_amount))
    totals = ET.SubElement(root, "Totals")
    _sub(totals, "Amount", _money(doc.amount))
    _sub(totals, "TaxAmount", _money(doc.tax_amount))
    _sub(totals, "Total", _money(doc.total))
    _sub(totals, "TotalInCapitals", doc.total_in_capitals)
    _sub(root, "Remarks", doc.remarks)
    _sub(root, "Drawer", doc.drawer)
    return root


def render_xml(doc) -> bytes:
    tree = ET.ElementTree(build_tree(doc))
    ET.indent(tree)
    return ET.tostring(tree.getroot(), encoding="utf-8", xml_declaration=True)
