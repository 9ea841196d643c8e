"""Imports of more than IMPORT_INLINE_MAX_ROWS rows: a task checks the file (dry run) and, once the uploader
confirms, imports it, while a page shows the counts so far; the page then shows counts, why rows were skipped and
the first errors — never every row."""
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from invoices.ledger.imports import progress as progress_module
from invoices.ledger.imports.models import ImportJob, ImportStatus
from invoices.ledger.imports.services import import_job_run
from invoices.ledger.models import Customer, Invoice
from invoices.ledger.resources import INVOICE_COLUMNS, LINE_COLUMNS

from ... import factories

pytestmark = pytest.mark.django_db
IMPORT = "admin:invoices_invoice_import"


def invoice_csv(seller, customer, count, *, bad=(), start=1):
    """`count` one-line invoices; rows whose position (1-based) is in `bad` carry an invalid buyer tax id."""
    lines = [",".join(INVOICE_COLUMNS + LINE_COLUMNS)]
    for n in range(start, start + count):
        buyer = "BAD-TAX-ID" if n - start + 1 in bad else customer.tax_id
        lines.append(",".join(["", f"2611200000001{n:07d}", "digital_general", seller.tax_id, buyer, customer.name,
                               "2026-10-02 10:00:00", "", "", "1", "*服务*维护", factories.SOFTWARE_MAINTENANCE_CODE,
                               "", "", "", "", "100.00", "0.06", "", "0"]))
    return "\n".join(lines) + "\n"


def upload(client, url, content, name="invoices.csv"):
    file = io.BytesIO(content.encode("utf-8"))
    file.name = name
    return client.post(url, {"import_file": file, "format": 0, "resource": 0})


@pytest.fixture
def small_inline(settings):
    settings.IMPORT_INLINE_MAX_ROWS = 5


def test_a_big_file_is_checked_by_a_task_then_imported_when_confirmed(client, seller, customer, finance_user,
                                                                      small_inline,
                                                                      django_capture_on_commit_callbacks):
    client.force_login(finance_user)
    before = Invoice.objects.count()
    with django_capture_on_commit_callbacks(execute=True):  # the test cluster runs tasks inline
        response = upload(client, reverse(IMPORT), invoice_csv(seller, customer, 8))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("admin:invoices_invoice_import_job", args=[job.pk])
    assert job.status == ImportStatus.CHECKED and job.rows_estimated == 8
    assert job.counts == {"read": 8, "valid": 8, "invalid": 0, "new": 8, "update": 0, "skip": 0}
    assert Invoice.objects.count() == before  # the dry run writes nothing

    page = client.get(response.url).content.decode()
    assert "确认导入" in page and "将新增" in page and "http-equiv=\"refresh\"" not in page
    assert "2611200000001" not in page  # counts, not every row

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(reverse("admin:invoices_invoice_import_job_confirm", args=[job.pk]))
    assert confirmed.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.IMPORTED and job.counts["new"] == 8
    assert Invoice.objects.count() == before + 8
    assert "已新增" in client.get(confirmed.url).content.decode()


def test_a_file_with_errors_lists_the_first_ones_with_row_and_number_and_writes_nothing(
        client, seller, customer, finance_user, small_inline, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(progress_module, "FIRST_ERRORS", 2)
    client.force_login(finance_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, reverse(IMPORT), invoice_csv(seller, customer, 10, bad=(3, 6, 9)))
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.REFUSED
    assert job.counts["read"] == 10 and job.counts["invalid"] == 3 and job.counts["valid"] == 7
    assert [(e["row"], e["key"]) for e in job.errors] == [(4, "26112000000010000003"), (7, "26112000000010000006")]
    page = client.get(response.url).content.decode()
    assert "确认导入" not in page and "前 2 个错误" in page and "开票时购方识别号：" in page
    assert "将新增" not in page and "<th>发票号码</th>" in page
    assert "26112000000010000003" in page and "重新上传" in page
    assert not Invoice.objects.filter(number__startswith="2611200000001").exists()


def test_rows_already_in_the_ledger_say_why_they_are_skipped(client, seller, customer, finance_user, small_inline,
                                                           django_capture_on_commit_callbacks):
    client.force_login(finance_user)
    content = invoice_csv(seller, customer, 7)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = upload(client, reverse(IMPORT), content)
        job = ImportJob.objects.latest("pk")
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("admin:invoices_invoice_import_job_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.IMPORTED and job.counts["new"] == 0 and job.counts["skip"] == 7
    page = client.get(response.url).content.decode()
    assert "台账中已有这张发票" in page and "7 行" in page


def test_unchanged_customers_say_why_they_are_skipped(client, finance_user, small_inline,
                                                      django_capture_on_commit_callbacks):
    customers = [factories.customer() for _ in range(6)]
    content = "name,tax_id,email\n" + "".join(f"{c.name},{c.tax_id},{c.email}\n" for c in customers)
    client.force_login(finance_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, reverse("admin:invoices_customer_import"), content, name="customers.csv")
    job = ImportJob.objects.get()
    assert job.model_label == "invoices.customer" and job.counts["skip"] == 6
    assert "与已有客户资料相同" in client.get(response.url).content.decode()
    assert Customer.objects.count() == 6


def test_counts_reach_the_progress_cache_while_the_pass_runs(seller, customer, finance_user, settings, monkeypatch,
                                                             tmp_path, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from invoices.ledger.imports.services import import_job_create
    from invoices.ledger.resources import InvoiceResource

    monkeypatch.setattr(progress_module, "WRITE_EVERY_SECONDS", 0)
    seen = []
    original = progress_module.Progress.write

    def spy(self):
        original(self)
        seen.append(progress_module.live_counts(self.job_id)["read"])

    monkeypatch.setattr(progress_module.Progress, "write", spy)
    with django_capture_on_commit_callbacks(execute=False):
        job = import_job_create(actor=finance_user, model_label="invoices.invoice",
                                resource_path=f"{InvoiceResource.__module__}.InvoiceResource",
                                permission="invoices.import_invoices", file_format="csv", rows_estimated=4,
                                upload=SimpleUploadedFile("a.csv", invoice_csv(seller, customer, 4).encode()))
    import_job_run(job_id=job.pk)
    assert seen == [1, 2, 3, 4]
    assert progress_module.live_counts(job.pk) is None  # cleared once the counts are on the job


def test_a_redelivered_task_does_not_run_a_pass_twice_but_a_dead_workers_pass_is_taken_over(
        seller, customer, finance_user, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from invoices.ledger.imports.services import import_job_create
    from invoices.ledger.resources import InvoiceResource

    with django_capture_on_commit_callbacks(execute=False):
        job = import_job_create(actor=finance_user, model_label="invoices.invoice",
                                resource_path=f"{InvoiceResource.__module__}.InvoiceResource",
                                permission="invoices.import_invoices", file_format="csv", rows_estimated=2,
                                upload=SimpleUploadedFile("a.csv", invoice_csv(seller, customer, 2).encode()))
    ImportJob.objects.filter(pk=job.pk).update(started_at=timezone.now())
    assert import_job_run(job_id=job.pk) is None  # another worker holds it
    ImportJob.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(minutes=10))
    assert import_job_run(job_id=job.pk).status == ImportStatus.CHECKED
    assert import_job_run(job_id=job.pk) is None  # finished: nothing to do


def test_a_pass_killed_at_the_timeout_twice_fails_with_a_reason_instead_of_running_forever(
        seller, customer, finance_user, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from invoices.ledger.imports.services import import_job_create
    from invoices.ledger.resources import InvoiceResource

    with django_capture_on_commit_callbacks(execute=False):
        job = import_job_create(actor=finance_user, model_label="invoices.invoice",
                                resource_path=f"{InvoiceResource.__module__}.InvoiceResource",
                                permission="invoices.import_invoices", file_format="csv", rows_estimated=2, language="zh-hans",
                                upload=SimpleUploadedFile("a.csv", invoice_csv(seller, customer, 2).encode()))
    ImportJob.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(minutes=10), attempts=2)
    assert import_job_run(job_id=job.pk) is None
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "拆分" in job.error


def test_only_the_uploader_sees_and_confirms_the_job(client, seller, customer, finance_user, finance_user2, cs_user,
                                                     small_inline, django_capture_on_commit_callbacks):
    client.force_login(finance_user)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, reverse(IMPORT), invoice_csv(seller, customer, 6))
    job = ImportJob.objects.get()
    page = reverse("admin:invoices_invoice_import_job", args=[job.pk])
    confirm = reverse("admin:invoices_invoice_import_job_confirm", args=[job.pk])
    for other in (finance_user2, cs_user):
        client.force_login(other)
        assert client.get(page).status_code == 403
        assert client.post(confirm).status_code == 403
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED
    # The customer list's URL does not open an invoice job.
    client.force_login(finance_user)
    assert client.get(reverse("admin:invoices_customer_import_job", args=[job.pk])).status_code == 404


def test_a_file_over_the_row_limit_is_refused_in_the_form(client, seller, customer, finance_user, settings,
                                                          small_inline):
    settings.IMPORT_MAX_ROWS = 6
    client.force_login(finance_user)
    response = upload(client, reverse(IMPORT), invoice_csv(seller, customer, 7))
    assert response.status_code == 200 and not ImportJob.objects.exists()
    assert "一次最多导入 6 行" in response.content.decode()


def test_a_small_file_gets_the_same_counted_preview(client, seller, customer, finance_user,
                                                   django_capture_on_commit_callbacks):
    client.force_login(finance_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, reverse(IMPORT), invoice_csv(seller, customer, 3, bad=(2,)))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("admin:invoices_invoice_import_job", args=[job.pk])
    assert job.status == ImportStatus.REFUSED and job.counts["read"] == 3 and job.counts["invalid"] == 1
    page = client.get(response.url).content.decode()
    assert "26112000000010000002" in page and "NUMBER" not in page  # the row's number and its reason, in Chinese


def test_the_inline_preview_says_why_an_unchanged_customer_is_skipped(client, finance_user, settings):
    settings.IMPORT_INLINE_MAX_ROWS = 300  # a deployment may keep the stock preview for small files
    customer = factories.customer()
    client.force_login(finance_user)
    response = upload(client, reverse("admin:invoices_customer_import"),
                      f"name,tax_id,email\n{customer.name},{customer.tax_id},{customer.email}\n", name="c.csv")
    page = response.content.decode()
    assert "说明" in page and "与已有客户资料相同" in page


def test_the_errors_are_written_in_the_uploaders_language(client, seller, customer, finance_user, settings,
                                                          small_inline, django_capture_on_commit_callbacks):
    client.force_login(finance_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, reverse(IMPORT), invoice_csv(seller, customer, 6, bad=(2,)))
    job = ImportJob.objects.get()
    assert job.language == "en" and job.status == ImportStatus.REFUSED
    assert job.errors[0]["messages"][0].startswith("buyer tax id")


def test_the_upload_form_names_the_columns_in_chinese(client, finance_user):
    client.force_login(finance_user)
    page = client.get(reverse(IMPORT)).content.decode()
    assert "发票号码" in page and "buyer_tax_id" not in page and "line_amount" not in page
