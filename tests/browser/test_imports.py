"""A big import in a real browser: finance uploads 3,000 invoices, watches the check run in the background, reads
the counts (not 3,000 rows), confirms and sees them imported; a file with errors lists its first errors by row and
number and imports nothing."""
import json

from .invoice_side_helpers import shoot
from .story_helpers import wait_for

ROWS = 3000
HEADER = ("code,number,kind,seller_tax_id,buyer_tax_id,buyer_name,issued_at,drawer,remarks,line_no,line_name,"
          "tax_code,spec,unit,quantity,unit_price,line_amount,tax_rate,line_tax_amount,zero_rate_flag")


def parties(site):
    code = """
import json
from invoices.ledger.models import Customer, Seller
seller = Seller.objects.order_by("id").first()
customer = Customer.objects.exclude(tax_id="").order_by("id").first()
print(json.dumps({"seller": seller.tax_id, "buyer": customer.tax_id, "name": customer.name}))
"""
    return json.loads(site.python(code).splitlines()[-1])


def write_file(path, who, *, prefix, bad=()):
    lines = [HEADER]
    for n in range(1, ROWS + 1):
        buyer = "BAD-TAX-ID" if n in bad else who["buyer"]
        lines.append(f",{prefix}{n:07d},digital_general,{who['seller']},{buyer},{who['name']},2001-05-06 10:00:00,"
                     f",,1,*服务*维护,3040201030000000000,,,,,100.00,0.06,,0")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def upload(page, site, path, shots=None):
    page.goto(f"{site.url}/admin/invoices/invoice/")
    page.get_by_role("link", name="导入", exact=True).click()
    page.wait_for_load_state()
    if shots:
        shoot(shots, page, "upload-form")
    page.locator("#id_import_file").set_input_files(str(path))
    page.locator("#id_format").select_option(label="csv")
    page.locator("form input[type=submit]").click()
    page.wait_for_load_state()


def wait_for_import(site, file_name, status, what):
    """The worker's import job for `file_name` reaches `status` (the page polls the same row)."""
    wait_for(site, "from invoices.ledger.imports.models import ImportJob;"
                   f"print(ImportJob.objects.filter(file_name={file_name!r}).latest('created_at').status)",
             status, what=what)


def test_finance_imports_3000_invoices_with_progress_then_confirms(site, open_as, shots, tmp_path):
    who = parties(site)
    page = open_as("finance")
    upload(page, site, write_file(tmp_path / "三千张发票.csv", who, prefix="2601200000888"), shots)
    assert "/import/jobs/" in page.url, page.url
    shoot(shots, page, "checking")
    wait_for_import(site, "三千张发票.csv", "checked", "the worker to check the 3,000 rows (import job checked)")
    page.get_by_text("检查完毕，等待确认").wait_for(timeout=30_000)  # the page's own refresh shows it
    shoot(shots, page, "checked")
    counts = page.locator("table.import-job-counts").inner_text()
    assert "3,000" in counts and "将新增" in counts, counts
    assert page.locator("table.import-job-errors").count() == 0
    assert page.get_by_text("2601200000888000001").count() == 0  # counts, not every row
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_load_state()
    wait_for_import(site, "三千张发票.csv", "imported", "the worker to import the 3,000 rows (import job imported)")
    page.get_by_text("已新增").wait_for(timeout=30_000)
    shoot(shots, page, "imported")
    assert "3,000" in page.locator("table.import-job-counts").inner_text()
    imported = site.python("from invoices.ledger.models import Invoice;"
                           "print(Invoice.objects.filter(number__startswith='2601200000888').count())")
    assert imported.splitlines()[-1] == str(ROWS)
    page.get_by_role("link", name="导入记录").click()  # the sidebar leads back to one's imports
    page.wait_for_load_state()
    shoot(shots, page, "my-imports")
    assert page.get_by_role("link", name="三千张发票.csv").count() == 1


def test_a_file_with_errors_shows_the_first_ones_and_imports_nothing(site, open_as, shots, tmp_path):
    who = parties(site)
    page = open_as("finance")
    upload(page, site, write_file(tmp_path / "有错误.csv", who, prefix="2601200000777", bad=(17, 2500)))
    wait_for_import(site, "有错误.csv", "refused", "the worker to refuse the file with errors (import job refused)")
    page.get_by_text("有错误，未导入").wait_for(timeout=30_000)
    shoot(shots, page, "refused")
    errors = page.locator("table.import-job-errors").inner_text()
    assert "18" in errors and "26012000007770000017" in errors and "开票时购方识别号" in errors, errors
    assert page.get_by_role("button", name="确认导入").count() == 0
    assert page.get_by_role("link", name="重新上传修改后的文件").count() == 1
    written = site.python("from invoices.ledger.models import Invoice;"
                          "print(Invoice.objects.filter(number__startswith='2601200000777').count())")
    assert written.splitlines()[-1] == "0"
