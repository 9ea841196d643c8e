"""An XLSX whose <dimension> understates its rows (a 177-row export declaring one) is refused at upload naming both
numbers, and a worker that meets one anyway reads every row and refuses it: nothing reads the declared size as the
truth (a reconciliation once proposed 170 invoices missing from such a file; a customer import slipped past the
row cap)."""
import io
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from core.upload_limits import check_upload
from core.xlsx_dimension import SheetScan
from invoices.ledger.imports.models import ImportJob
from invoices.ledger.imports.rows import estimate_rows
from invoices.ledger.models import Customer
from invoices.platform.export_writer import build_file, invoice_row
from invoices.reconciliation.models import ReconciliationRun
from invoices.reconciliation.pipeline.reader import iter_raw_rows
from invoices.reconciliation.services.runs import reconciliation_start

from .. import factories
from ..recon_helpers import PERIOD, ledger, rows_for

pytestmark = pytest.mark.django_db
SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def redeclare(xlsx, ref):
    """The workbook with its first sheet's <dimension ref> rewritten (or added, if it had none)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == SHEET:
                text = data.decode()
                text, n = re.subn(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>', text)
                assert n == 1 or "<dimension" not in text
                if n == 0:
                    text = text.replace("<sheetData", f'<dimension ref="{ref}"/><sheetData', 1)
                data = text.encode()
            dst.writestr(item, data)
    return out.getvalue()


def customers_xlsx(count):
    book = Workbook()
    sheet = book.active
    sheet.append(["name", "tax_id", "email"])
    for n in range(count):
        sheet.append([f"北京客户{n}有限公司", f"91110000MA{n:07d}X", f"c{n}@example.cn"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def refusal(exc, field="file"):
    return " ".join(exc.value.message_dict[field])


def test_an_export_of_177_rows_declaring_one_is_refused_naming_both_numbers(seller, customer, finance_user):
    invoices = ledger(seller, customer, n=7)
    rows = [invoice_row(invoices[n % 7], seq=n + 1) for n in range(177)]
    hostile = redeclare(build_file(rows, "xlsx"), "A1:S1")
    with pytest.raises(ValidationError) as exc:
        check_upload(io.BytesIO(hostile))
    assert "declares 1 rows" in refusal(exc) and "178 rows were read" in refusal(exc)
    with pytest.raises(ValidationError) as exc:
        reconciliation_start(actor=finance_user, seller=seller, period_start=PERIOD[0], period_end=PERIOD[1],
                             file=SimpleUploadedFile("export.xlsx", hostile))
    assert "178" in refusal(exc) and not ReconciliationRun.objects.exists()


def test_overstating_is_refused_too_and_honest_files_pass(seller, customer):
    invoices = ledger(seller, customer, n=3)
    honest = build_file(rows_for(invoices), "xlsx")
    check_upload(io.BytesIO(honest))
    check_upload(io.BytesIO(customers_xlsx(5)))
    with pytest.raises(ValidationError) as exc:
        check_upload(io.BytesIO(redeclare(honest, "A1:S500")))
    assert "declares 500 rows" in refusal(exc) and "4 rows were read" in refusal(exc)


def test_the_worker_reads_every_row_and_refuses_a_file_that_slipped_past(seller, customer):
    """A file stored before the upload check (or changed since): the reader counts the rows as read."""
    invoices = ledger(seller, customer, n=12)
    hostile = redeclare(build_file(rows_for(invoices), "xlsx"), "A1:S2")
    rows = iter_raw_rows(io.BytesIO(hostile))
    next(rows)  # the header
    read = []
    with pytest.raises(ValidationError) as exc:
        for row_no, _raw in rows:
            read.append(row_no)
    assert read == list(range(1, 13))
    assert "declares 2 rows" in refusal(exc) and "13 rows were read" in refusal(exc)


def test_the_import_row_count_is_what_is_read_not_what_is_declared():
    assert estimate_rows(SimpleUploadedFile("c.xlsx", customers_xlsx(20)), "xlsx") == 20
    with pytest.raises(ValidationError) as exc:
        estimate_rows(SimpleUploadedFile("c.xlsx", redeclare(customers_xlsx(20), "A1:C1")), "xlsx")
    assert "declares 1 rows" in refusal(exc, "import_file") and "21 rows were read" in refusal(exc, "import_file")


def test_a_customer_import_declaring_one_row_is_refused_in_the_form(client, finance_user, settings):
    settings.IMPORT_MAX_ROWS = 6
    settings.IMPORT_INLINE_MAX_ROWS = 3
    client.force_login(finance_user)
    hostile = io.BytesIO(redeclare(customers_xlsx(20), "A1:C1"))
    hostile.name = "customers.xlsx"
    before = Customer.objects.count()
    response = client.post(reverse("admin:invoices_customer_import"),
                           {"import_file": hostile, "format": 1, "resource": 0})
    page = response.content.decode()
    assert response.status_code == 200 and "21" in page and "A1:C1" in page, page[-3000:]
    assert Customer.objects.count() == before and not ImportJob.objects.exists()


def test_the_scan_is_not_fooled_by_where_blocks_are_cut():
    xml = (b'<?xml version="1.0"?><worksheet xmlns="m"><dimension ref="A1:B3"/><sheetData>'
           b'<row r="1" spans="1:2"><c r="A1"/></row><x:row foo=">" r="2"/><row>'
           b'<c r="A3"><v>1</v></c></row></sheetData></worksheet>')
    for size in (1, 2, 3, 7, len(xml)):
        scan = SheetScan()
        for start in range(0, len(xml), size):
            scan.feed(xml[start:start + size])
        scan.close()
        assert (scan.ref, scan.rows) == ("A1:B3", 3), size


def test_a_sheet_without_a_dimension_is_read_whole(seller):
    factories.customer()
    book = customers_xlsx(4)
    with zipfile.ZipFile(io.BytesIO(book)) as zf:
        text = zf.read(SHEET).decode()
    assert "<dimension" in text  # openpyxl writes one: the test below removes it
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, re.sub(rb"<dimension[^>]*/>", b"", data) if item.filename == SHEET else data)
    check_upload(io.BytesIO(out.getvalue()))
    assert estimate_rows(SimpleUploadedFile("c.xlsx", out.getvalue()), "xlsx") == 4
