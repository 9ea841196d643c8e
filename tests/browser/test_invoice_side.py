"""The invoice side in a real browser: finance reissues through the form, a colleague approves; the invoice page
shows its requests, sync attempts and incidents; lists fit at 1440 px; search finds a legacy number as shown."""
import json
import re

from .invoice_side_helpers import headers, list_fit, pick_invoice, reconcile_with_differences, shoot
from .story_helpers import wait_for


def test_finance_reissues_with_a_corrected_buyer_tax_id_and_finance2_approves(site, open_as, shots):
    invoice = pick_invoice(site, digital=True)
    page = open_as("finance")
    page.goto(f"{site.url}/admin/invoices/invoice/{invoice['pk']}/change/")
    shoot(shots, page, "invoice-page")
    page.get_by_role("link", name="红冲重开").first.click()
    page.wait_for_load_state()
    shoot(shots, page, "reissue-form")
    page.locator("#id_reason").select_option("01")
    page.locator("#id_new_buyer_tax_id").fill(invoice["corrected_tax_id"])
    page.locator("#id_note").fill("客户来电：购买方税号写错")
    page.locator("input[name=_preview]").click()
    page.wait_for_load_state()
    shoot(shots, page, "reissue-difference")
    assert page.locator(".errornote").count() == 0, page.locator(".errornote").all_inner_texts()
    diff = page.locator("table.diff").first.inner_text()
    assert invoice["buyer_tax_id"] in diff and invoice["corrected_tax_id"] in diff
    page.locator("input[name=_confirm]").click()
    page.wait_for_load_state()
    shoot(shots, page, "reissue-submitted")
    assert re.search(r"/admin/invoices/reissuerequest/\d+/change/", page.url), page.url

    approver = open_as("finance2")
    approver.goto(f"{site.url}/admin/invoices/reissuerequest/")
    shoot(shots, approver, "approval-queue")
    approver.get_by_role("link", name=invoice["number"]).first.click()
    approver.wait_for_load_state()
    shoot(shots, approver, "request-page")
    approver.get_by_role("link", name="审批或驳回").click()
    approver.wait_for_load_state()
    shoot(shots, approver, "decide-page")
    approver.locator("form input[type=submit]").first.click()
    approver.wait_for_load_state()
    shoot(shots, approver, "approved")
    # Approval commits the decision; the worker issues the red and the new invoice (the completion job).
    assert "后台" in approver.locator("ul.messagelist").inner_text()
    wait_for(site, "from invoices.reissue.models import ReissueRequest as R;"
                   f"r=R.objects.filter(original_id={invoice['pk']}).get();"
                   "print(r.status, r.new_invoice.buyer_tax_id if r.new_invoice else '-')",
             f"completed {invoice['corrected_tax_id']}",
             what="the worker to complete the approved reissue with the corrected buyer tax id")
    approver.reload()
    shoot(shots, approver, "reissue-completed")
    assert "已完成" in approver.locator(".field-status").inner_text()


def test_the_invoice_list_fits_and_finds_a_legacy_number_as_shown(site, open_as, shots):
    page = open_as("finance")
    page.goto(f"{site.url}/admin/invoices/invoice/")
    shoot(shots, page, "invoice-list")
    fit = list_fit(page)
    assert fit["rows"] >= 20 and fit["worst"] <= 2, fit
    assert fit["width"] <= 1440 and fit["hidden"] <= 0, fit
    assert "开票时间" in headers(page) and any("销售方" in h for h in headers(page)), headers(page)
    legacy = site.python("from invoices.ledger.models import Invoice;"
                         "print(Invoice.objects.exclude(code='').order_by('id').first())").splitlines()[-1]
    page.locator("#searchbar").fill(legacy)
    page.locator("#searchbar").press("Enter")
    page.wait_for_load_state()
    shoot(shots, page, "legacy-number-found")
    assert page.locator("#result_list tbody tr").count() == 1
    assert legacy in page.locator("#result_list tbody tr").first.inner_text()


def test_the_discrepancy_list_fits(site, open_as, shots):
    run = reconcile_with_differences(site)
    page = open_as("finance")
    page.goto(f"{site.url}/admin/invoices/reconciliationrun/{run}/change/")
    shoot(shots, page, "run-page")
    page.goto(f"{site.url}/admin/invoices/discrepancy/?run__id__exact={run}")
    shoot(shots, page, "discrepancy-list")
    fit = list_fit(page)
    assert fit["rows"] >= 1 and fit["worst"] <= 2, fit
    assert fit["width"] <= 1440 and fit["hidden"] <= 0, fit
    assert not re.search(r"#\d+", page.locator("#result_list").inner_text())
    page.locator("#result_list tbody tr td a").filter(has_text="¥").first.click()
    page.wait_for_load_state()
    shoot(shots, page, "discrepancy-page")
    assert "¥1.13" in page.locator("#content").inner_text()


def test_the_invoice_page_offers_the_next_step_and_lists_its_incidents(site, open_as, shots):
    failed = json.loads(site.python(
        "import json; from invoices.ledger.models import Invoice;"
        "i = Invoice.objects.filter(direction='blue', status='issued', incidents__isnull=True,"
        " reissue_requests__isnull=True).exclude(buyer__incidents__status__in=['new', 'investigating',"
        " 'waiting_customer', 'waiting_platform']).order_by('-id').first();"
        "Invoice.objects.filter(pk=i.pk).update(sync_status='failed');"  # an upload the platform refused
        "print(json.dumps({'pk': i.pk, 'number': str(i)}))").splitlines()[-1])
    rep = open_as("cs")
    rep.goto(f"{site.url}/admin/invoices/invoice/{failed['pk']}/change/")
    shoot(shots, rep, "rep-sees-next-steps")
    steps = rep.locator(".next-steps").inner_text()
    assert "在平台核验" in steps and "创建事件" in steps, steps
    clerk = open_as("finance")
    clerk.goto(f"{site.url}/admin/invoices/invoice/{failed['pk']}/change/")
    clerk.locator(".next-steps button", has_text="重新同步").click()
    clerk.wait_for_load_state()
    shoot(shots, clerk, "finance-re-synced")
    assert failed["number"] in clerk.locator(".messagelist").inner_text()
    reference = site.python(
        "from django.contrib.auth import get_user_model; from invoices.ledger.models import Invoice;"
        "from incidents.models import IncidentCategory;"
        "from incidents.services.incidents import incident_open;"
        f"inv = Invoice.objects.get(pk={failed['pk']});"
        "i = incident_open(actor=get_user_model().objects.get(username='cs'), title='客户查不到发票',"
        " category=IncidentCategory.INVOICE_MISSING, customer=inv.buyer, invoices=[inv]); print(i.reference)"
    ).splitlines()[-1]
    rep.reload()
    shoot(shots, rep, "rep-sees-the-incident")
    table = rep.locator("#incident-table-group").inner_text()
    assert reference in table, table
    rep.locator("#incident-table-group a", has_text=reference).click()
    rep.wait_for_load_state()
    assert "/admin/incidents/incident/" in rep.url
