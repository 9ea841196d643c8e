"""A background import reads its stored file as a stream of small chunks (IMPORT_CHUNK_ROWS rows), never as one
Dataset of the whole file, and still behaves as one all-or-nothing pass: an invoice's lines stay in one chunk,
errors keep the file's row numbers, a dry run or a pass with an error writes nothing."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from invoices.ledger.identifiers import uscc_check_char
from invoices.ledger.imports import services as services_module
from invoices.ledger.imports.chunks import dataset_chunks
from invoices.ledger.imports.models import ImportStatus
from invoices.ledger.imports.services import import_job_confirm, import_job_create, import_job_run
from invoices.ledger.models import Customer, Invoice
from invoices.ledger.resources import INVOICE_COLUMNS, LINE_COLUMNS, InvoiceResource

from tests import factories
from tests.invoices.ledger.test_import_jobs import invoice_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_chunks(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.IMPORT_CHUNK_ROWS = 3


@pytest.fixture
def chunk_sizes(monkeypatch):
    sizes = []
    original = services_module.dataset_chunks

    def spy(*args, **kwargs):
        for before, dataset in original(*args, **kwargs):
            sizes.append(len(dataset))
            yield before, dataset

    monkeypatch.setattr(services_module, "dataset_chunks", spy)
    return sizes


def _job(actor, content, *, name="a.csv", model="invoices.invoice", resource=InvoiceResource,
         permission="invoices.import_invoices"):
    job = import_job_create(actor=actor, model_label=model, resource_path=f"{resource.__module__}.{resource.__name__}",
                            permission=permission, file_format=name.rsplit(".", 1)[1], rows_estimated=0,
                            upload=SimpleUploadedFile(name, content))
    return import_job_run(job_id=job.pk)


def test_a_job_is_read_and_imported_chunk_by_chunk(seller, customer, finance_user, chunk_sizes,
                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = _job(finance_user, invoice_csv(seller, customer, 8).encode())
    assert chunk_sizes == [3, 3, 2]
    assert job.status == ImportStatus.CHECKED and job.counts["new"] == 8 and job.counts["read"] == 8
    assert not Invoice.objects.filter(number__startswith="2611200000001").exists()  # the dry run wrote nothing
    with django_capture_on_commit_callbacks(execute=False):
        job = import_job_confirm(job=job, actor=finance_user)
    job = import_job_run(job_id=job.pk)
    assert job.status == ImportStatus.IMPORTED and job.counts["new"] == 8
    assert Invoice.objects.filter(number__startswith="2611200000001").count() == 8


def test_errors_keep_the_files_row_numbers_and_nothing_is_written(seller, customer, finance_user, chunk_sizes,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        job = _job(finance_user, invoice_csv(seller, customer, 8, bad=(2, 7)).encode())
    assert len(chunk_sizes) == 3
    assert job.status == ImportStatus.REFUSED and job.counts["invalid"] == 2
    assert [e["row"] for e in job.errors] == [3, 8]  # the spreadsheet's numbering: the header is row 1


def test_an_invoices_lines_stay_in_one_chunk(seller, customer, finance_user, chunk_sizes,
                                             django_capture_on_commit_callbacks):
    head = ",".join(INVOICE_COLUMNS + LINE_COLUMNS)
    lines = [head]
    for n, count in ((1, 2), (2, 3), (3, 1)):  # invoice 2's lines would straddle the first cut
        for line in range(1, count + 1):
            lines.append(",".join(["", f"261120000000200000{n:02d}", "digital_general", seller.tax_id,
                                   customer.tax_id, customer.name, "2026-10-02 10:00:00", "", "", str(line),
                                   "*服务*维护", factories.SOFTWARE_MAINTENANCE_CODE, "", "", "", "", "100.00", "0.06", "",
                                   "0"]))
    with django_capture_on_commit_callbacks(execute=False):
        job = _job(finance_user, ("\n".join(lines) + "\n").encode())
    assert chunk_sizes == [5, 1]
    assert job.status == ImportStatus.CHECKED and job.counts["new"] == 3, job.errors


def test_an_xlsx_customer_file_is_streamed_in_chunks(cs_user, chunk_sizes, django_capture_on_commit_callbacks):
    from invoices.ledger.resources import CustomerResource

    book = Workbook()
    book.active.append(["name", "tax_id", "email"])
    for n in range(7):
        body = f"91110000MA{n:07d}"
        book.active.append([f"北京客户{n}有限公司", body + uscc_check_char(body), f"c{n}@example.cn"])
    out = io.BytesIO()
    book.save(out)
    with django_capture_on_commit_callbacks(execute=False):
        job = _job(cs_user, out.getvalue(), name="c.xlsx", model="invoices.customer", resource=CustomerResource,
                   permission="invoices.import_customers")
    assert chunk_sizes == [3, 3, 1] and job.status == ImportStatus.CHECKED and job.counts["new"] == 7
    assert not Customer.objects.filter(tax_id__startswith="91110000MA").exists()


def test_chunks_pad_short_rows_and_refuse_cells_past_the_header():
    chunks = list(dataset_chunks(io.BytesIO(b"a,b,c\n1\n2,3,4\n"), "csv", size=10))
    assert [list(r) for r in chunks[0][1]] == [["1", "", ""], ["2", "3", "4"]]
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Row 3 has 4 cells"):
        list(dataset_chunks(io.BytesIO(b"a,b,c\n1\n2,3,4,5\n"), "csv", size=10))
