"""Invoices as the tax authority writes them, opened as finance would in the demo: a 5% (简易计税) invoice, one the
platform flags 异常凭证 (kept from the export, found through the 风险等级 filter, with finance's incident) and a legacy
paper 专票 (code and number, no made-up e-file)."""
import json

from .invoice_side_helpers import shoot
from .story_helpers import wait_until

FIND = """
import json
from invoices.ledger.models import Invoice
five = Invoice.objects.filter(direction="blue", lines__tax_rate="0.05").order_by("id").first()
paper = Invoice.objects.filter(direction="blue", kind="vat_special").exclude(code="").order_by("id").first()
print(json.dumps({"five": five.pk, "five_number": five.number, "paper": paper.pk, "paper_code": paper.code,
                  "paper_number": paper.number}))
"""


def test_a_five_percent_a_flagged_and_a_legacy_paper_invoice(site, open_as, shots):
    data = json.loads(site.python(FIND).splitlines()[-1])
    page = open_as("finance")

    page.goto(f"{site.url}/admin/invoices/invoice/{data['five']}/change/")
    assert "5%" in page.inner_text("main") and data["five_number"] in page.inner_text("main")
    shoot(shots, page, "invoice-five-percent")

    flagged = wait_until(site, "from invoices.ledger.models import Invoice;"
                               "i = Invoice.objects.filter(risk_level='abnormal').order_by('id').first();"
                               "print(i.number if i else '')",
                         what="the demo's reconciliation run keeping the export's 异常凭证 flag").strip()
    page.goto(f"{site.url}/admin/invoices/invoice/?risk=abnormal")
    listing = page.inner_text("#result_list")
    assert flagged in listing and "异常凭证" in listing
    shoot(shots, page, "invoice-list-flagged")
    page.get_by_role("link", name=flagged).first.click()
    assert "异常凭证" in page.inner_text("main")
    incident = wait_until(site, "from incidents.models import Incident;"
                                f"i = Incident.objects.filter(category='invoice_risk', invoices__number='{flagged}')"
                                ".first(); print(i.reference if i else '')",
                          what="the invoice_risk incident opened for the flagged invoice").strip()
    page.goto(f"{site.url}/admin/")
    shoot(shots, page, "finance-home-with-risk-incident")
    assert incident

    page.goto(f"{site.url}/admin/invoices/invoice/{data['paper']}/change/")
    main = page.inner_text("main")
    assert data["paper_code"] in main and data["paper_number"] in main and "增值税专用发票" in main
    assert "纸质发票原件已交付购买方" in main
    assert page.get_by_role("link", name="下载 PDF").count() == 0
    shoot(shots, page, "invoice-legacy-paper")
