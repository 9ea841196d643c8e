"""Data the invoice-side browser tests start from, read out of the live site's database."""
import json

from .screen import english_words


def pick_invoice(site, *, digital=True):
    """A synced blue invoice with lines and no reissue request yet, and a valid tax id to correct its buyer's to."""
    code = f"""
import json
from invoices.ledger.models import Invoice, DIGITAL_KINDS, Customer
qs = Invoice.objects.filter(direction="blue", status="issued", sync_status="synced", lines__isnull=False,
                            reissue_requests__isnull=True).distinct().order_by("id")
qs = qs.filter(kind__in=DIGITAL_KINDS) if {digital!r} else qs.exclude(kind__in=DIGITAL_KINDS)
from invoices.platform.models import PlatformInvoice
from invoices.platform.sim_forms import buyer_confirmed_use
# One the buyer has not confirmed use of: its red-letter form needs no confirmation (01), so the reissue completes.
inv = next(i for i in qs[:200] if not buyer_confirmed_use(PlatformInvoice.objects.get(code=i.code, number=i.number)))
other = Customer.objects.exclude(tax_id=inv.buyer_tax_id).exclude(tax_id="").order_by("id").first()
print(json.dumps({{"pk": inv.pk, "number": str(inv), "buyer_tax_id": inv.buyer_tax_id,
                  "corrected_tax_id": other.tax_id, "buyer_name": inv.buyer_name}}))
"""
    return json.loads(site.python(code).splitlines()[-1])


# The admin chrome on every page (site header, the sidebar's hidden table headers) is the home-page work of
# issue 15's other half; until it lands these exact phrases are not counted against the invoice pages.
CHROME_PHRASES = ["Invoice back office", "MODEL NAME", "ADD LINK", "CHANGE OR VIEW LIST LINK",
                  "Model name", "Add link", "Change or view list link"]
USERNAMES = {"cs", "cs2", "finance", "finance2", "manager", "admin"}
FILE_EXTENSIONS = {"csv", "xlsx"}  # in the names of uploaded files, which are data


def shoot(shots, page, step):
    """A screenshot of the step, then the English check of screen.py on the page's own text."""
    shots(page, step, check_language=False)
    text = page.evaluate("() => document.body.innerText")
    for phrase in CHROME_PHRASES:
        text = text.replace(phrase, " ")
    words = english_words(text, USERNAMES | FILE_EXTENSIONS)
    assert not words, f"English on the Chinese page {page.url}: {words}"


ROW_LINES_JS = """() => {
  const rows = [...document.querySelectorAll('#result_list tbody tr')];
  let worst = 0, cells = [];
  for (const row of rows) for (const td of row.children) {
    const style = getComputedStyle(td);
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.4;
    const inner = td.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    const lines = Math.round(inner / line);
    if (lines > worst) { worst = lines; cells = [td.className, td.innerText]; }
  }
  // The list sits in a scrolling box: what does not fit is cut off on the right, not added to the page's width.
  const table = document.querySelector('#result_list'), box = table && table.closest('.results');
  const hidden = table && box ? Math.round(table.getBoundingClientRect().right - box.getBoundingClientRect().right) : 0;
  return {rows: rows.length, worst, cells, width: document.documentElement.scrollWidth, hidden};
}"""


def list_fit(page):
    """{rows, worst: most text lines in any cell of the result list, cells: that cell, width: page width,
    hidden: pixels of the list cut off on the right}."""
    return page.evaluate(ROW_LINES_JS)


def headers(page):
    return [t.strip() for t in page.locator("#result_list thead th").all_inner_texts()]


def reconcile_with_differences(site):
    """A finished reconciliation run of the first seller's invoices against an export in which two are missing
    and one differs in its amounts."""
    code = """
from django.core.files.uploadedfile import SimpleUploadedFile
from django.contrib.auth import get_user_model
from django.utils import timezone
from invoices.ledger.models import Invoice, Seller
from invoices.platform.export_writer import build_file, invoice_row
from invoices.reconciliation.pipeline.runner import execute
from invoices.reconciliation.services.runs import reconciliation_start
seller = Seller.objects.order_by("id").first()
invoices = list(Invoice.objects.filter(seller=seller).select_related("seller", "original").order_by("issued_at"))
rows = [invoice_row(inv, seq=n) for n, inv in enumerate(invoices[2:], start=1)]
rows[0] = invoice_row(invoices[2], seq=1, amount="1.00", tax_amount="0.13", total="1.13")
upload = SimpleUploadedFile("全量发票查询导出.csv", build_file(rows, "csv-bom"))
run = reconciliation_start(actor=get_user_model().objects.get(username="finance"), seller=seller,
                           period_start=timezone.localdate(invoices[0].issued_at),
                           period_end=timezone.localdate(invoices[-1].issued_at), file=upload)
execute(run.pk)
print(run.pk)
"""
    return int(site.python(code).splitlines()[-1])
