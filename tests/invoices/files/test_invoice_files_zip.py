"""The ZIP of many invoices' PDFs: streamed in bounded memory (1,000 PDFs), a file the platform cannot supply
listed instead of failing the archive, the admin action (inline for a few, a task with a progress page beyond)."""
import io
import tempfile
import tracemalloc
import zipfile
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from invoices.files.models import BatchStatus, InvoiceFile, InvoiceFileBatch
from invoices.files.services.archive import MISSING_NAME, zip_stream
from invoices.files.services.batch import invoice_file_batch_build
from invoices.ledger.models import Invoice, InvoiceKind
from invoices.ledger.services.issue_batch import invoice_issue_batch
from invoices.platform.simulator import sim_settings_row

from ... import factories
from ...files_helpers import media, on_platform  # noqa: F401  (fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media")]


def issue_many(seller, customer, count):
    items = [{"seller": seller, "buyer": customer, "kind": InvoiceKind.DIGITAL_GENERAL, "issued_at": timezone.now(),
              "lines": [{"name": "*服务*维护", "tax_code": "3040201010000000000", "amount": Decimal("100.00"),
                         "tax_rate": Decimal("0.06")}]}
             for _ in range(count)]
    return [r.invoice.pk for r in invoice_issue_batch(actor=None, items=items)]


def store_copies(ids, content):
    """What first downloads leave behind, without rendering a thousand PDFs: the same bytes stored per invoice."""
    rows = []
    for invoice in Invoice.objects.filter(pk__in=ids):
        row = InvoiceFile(invoice=invoice, format="pdf", content_type="application/pdf", size=len(content),
                          sha256=InvoiceFile.digest(content))
        row.file.name = default_storage.save(f"invoice-files/{invoice.number}.pdf", io.BytesIO(content))
        rows.append(row)
    InvoiceFile.objects.bulk_create(rows)


@pytest.mark.slow  # a thousand invoices issued and stored
def test_a_zip_of_1000_pdfs_is_built_in_bounded_memory(seller, customer):
    ids = issue_many(seller, customer, 1000)
    pdf = b"%PDF-1.4\n" + bytes(range(256)) * 160  # ~40 KB, about one real invoice PDF
    store_copies(ids, pdf)
    invoices = Invoice.objects.filter(pk__in=ids).order_by("pk").iterator(chunk_size=200)
    with tempfile.TemporaryFile() as out:
        tracemalloc.start()
        try:
            largest = 0
            for chunk in zip_stream(invoices):
                largest = max(largest, len(chunk))
                out.write(chunk)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        total = out.tell()
        out.seek(0)
        with zipfile.ZipFile(out) as archive:
            names = archive.namelist()
            assert archive.testzip() is None
            assert archive.read(names[0]) == pdf
    assert len(names) == 1000 and len(set(names)) == 1000
    assert total > 1000 * len(pdf)
    # 40 MB went through; memory held at once stays at a few chunks and one page of invoice rows.
    assert largest <= 2 * len(pdf)
    assert peak < 8 * 2**20, peak


def test_a_file_the_platform_cannot_supply_is_listed_not_fatal(seller, customer):
    good = factories.invoice(seller_obj=seller, buyer=customer)
    on_platform(good)
    missing = factories.invoice(seller_obj=seller, buyer=customer)  # never reached the platform
    data = b"".join(zip_stream([good, missing]))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sorted(archive.namelist()) == sorted([f"{good.number}.pdf", MISSING_NAME])
        assert missing.number in archive.read(MISSING_NAME).decode()


def test_after_one_timeout_the_platform_is_not_asked_again(seller, customer, monkeypatch):
    from invoices.platform.simulator import SimulatedGateway

    invoices = [factories.invoice(seller_obj=seller, buyer=customer) for _ in range(3)]
    for invoice in invoices:
        on_platform(invoice)
    row = sim_settings_row()
    row.outage = True
    row.save()
    calls = []
    real = SimulatedGateway.download
    monkeypatch.setattr(SimulatedGateway, "download", lambda self, inv, fmt: calls.append(inv) or real(self, inv, fmt))
    data = b"".join(zip_stream(invoices))
    assert len(calls) == 1
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        listed = archive.read(MISSING_NAME).decode()
    assert all(i.number in listed for i in invoices)


def test_admin_action_streams_a_small_selection(client, seller, customer, finance_user):
    invoices = [factories.invoice(seller_obj=seller, buyer=customer) for _ in range(2)]
    for invoice in invoices:
        on_platform(invoice)
    client.force_login(finance_user)
    response = client.post(reverse("admin:invoices_invoice_changelist"), {
        "action": "download_pdfs_zip", "_selected_action": [i.pk for i in invoices]})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        assert sorted(archive.namelist()) == sorted(f"{i.number}.pdf" for i in invoices)


def test_a_big_selection_goes_to_a_task_with_a_progress_page(client, seller, customer, finance_user, settings,
                                                            django_capture_on_commit_callbacks):
    settings.INVOICE_FILES_ZIP_INLINE_MAX = 2
    invoices = [factories.invoice(seller_obj=seller, buyer=customer) for _ in range(3)]
    for invoice in invoices:
        on_platform(invoice)
    client.force_login(finance_user)
    row = sim_settings_row()
    row.outage = True  # the platform is down while the task would run: hold the task back
    row.save()
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("admin:invoices_invoice_changelist"), {
            "action": "download_pdfs_zip", "_selected_action": [i.pk for i in invoices]})
    batch = InvoiceFileBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "admin:invoices_invoice_file_batch", args=[batch.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' in page and "0 / 3" in page
    row.outage = False
    row.save()
    invoice_file_batch_build(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and batch.done == 3 and not batch.missing
    page = client.get(reverse("admin:invoices_invoice_file_batch", args=[batch.pk])).content.decode()
    assert 'http-equiv="refresh"' not in page
    archive_url = reverse("admin:invoices_invoice_file_batch_archive", args=[batch.pk, 1])
    assert archive_url in page
    download = client.get(archive_url)
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
        assert len(archive.namelist()) == 3
    # Another user's batch is not theirs to see.
    client.force_login(factories_user(finance_user))
    assert client.get(archive_url).status_code == 403


def factories_user(like):
    from django.contrib.auth import get_user_model

    other = get_user_model().objects.create_user("other-finance", password="x", is_staff=True)
    other.groups.set(like.groups.all())
    return other


def test_the_task_runs_from_the_queue(seller, customer, finance_user, django_capture_on_commit_callbacks):
    from invoices.files.services.batch import invoice_file_batch_create

    invoice = factories.invoice(seller_obj=seller, buyer=customer)
    on_platform(invoice)
    with django_capture_on_commit_callbacks(execute=True):  # the test cluster runs tasks inline
        batch = invoice_file_batch_create(actor=finance_user, invoice_ids=[invoice.pk])
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and len(batch.parts) == 1 and batch.parts[0].endswith(".zip")
    assert invoice_file_batch_build(batch_id=batch.pk).status == BatchStatus.DONE  # running again changes nothing


def test_a_batch_runs_in_steps_that_end_inside_the_task_timeout(seller, customer, finance_user, settings,
                                                               monkeypatch, django_capture_on_commit_callbacks):
    """Each step fetches until its time is up and queues the next; the ZIP comes in parts of PART_SIZE."""
    from invoices.files.services import batch as batch_module
    from invoices.files.services.batch import invoice_file_batch_create

    monkeypatch.setattr(batch_module, "FETCH_CHUNK", 1)
    monkeypatch.setattr(batch_module, "PART_SIZE", 2)
    monkeypatch.setattr(batch_module, "step_seconds", lambda: 0)  # one chunk per step
    invoices = [factories.invoice(seller_obj=seller, buyer=customer) for _ in range(3)]
    for invoice in invoices[:2]:
        on_platform(invoice)  # the third never reached the platform
    steps = []
    real = batch_module.invoice_file_batch_build
    monkeypatch.setattr("invoices.files.jobs.invoice_file_batch_build", lambda **kw: steps.append(kw) or real(**kw))
    with django_capture_on_commit_callbacks(execute=True):
        batch = invoice_file_batch_create(actor=finance_user, invoice_ids=[i.pk for i in invoices])
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and batch.done == 3
    assert len(steps) == 4  # a fetch step per invoice (the last also writes part 1), then part 2
    assert batch.missing == [invoices[2].number]
    assert len(batch.parts) == 2
    with default_storage.open(batch.parts[0]) as first, default_storage.open(batch.parts[1]) as second:
        assert sorted(zipfile.ZipFile(first).namelist()) == sorted(f"{i.number}.pdf" for i in invoices[:2])
        last = zipfile.ZipFile(second)
        assert last.namelist() == [MISSING_NAME] and invoices[2].number in last.read(MISSING_NAME).decode()
