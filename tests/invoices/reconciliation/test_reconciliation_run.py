"""Reconciliation of generated exports: every discrepancy kind, every encoding, damaged rows, header variants."""
import pytest

from invoices.ledger.models import Invoice, InvoiceEvent, SyncStatus
from invoices.platform.export_writer import float_damaged, invoice_row
from invoices.reconciliation.models import Discrepancy, DiscrepancyKind, RunStatus
from invoices.reconciliation.pipeline.runner import execute
from invoices.reconciliation.services.apply import reconciliation_apply
from invoices.reconciliation.services.runs import reconciliation_start

from ... import factories
from ...recon_helpers import PERIOD, ledger, legacy, red_for, rows_for, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def run_file(seller, actor, file, chunk_rows=3):
    run = reconciliation_start(actor=actor, seller=seller, period_start=PERIOD[0], period_end=PERIOD[1], file=file)
    execute(run.pk, chunk_rows=chunk_rows)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    return run


def kinds(run):
    return sorted(Discrepancy.objects.filter(run=run).values_list("kind", flat=True))


@pytest.mark.parametrize("fmt", ["csv-utf8", "csv-bom", "csv-gb18030", "xlsx"])
def test_every_discrepancy_kind_in_every_encoding(fmt, seller, customer, finance_user):
    invoices = ledger(seller, customer, n=8)
    other = factories.customer()
    rows = rows_for(invoices[:7])  # invoices[7] is missing on the platform
    rows[1] = invoice_row(invoices[1], total="999.99")  # amount mismatch
    rows[2] = invoice_row(invoices[2], status="已红冲-全额")  # red-flushed on the platform only
    rows[3] = invoice_row(invoices[3], buyer_tax_id=other.tax_id)  # buyer mismatch
    stranger = invoice_row(invoices[0], digital_number="26112000000099999999", total="12.00")
    rows.append(stranger)  # on the platform only
    rows.append(invoice_row(invoices[4], kind="二手车销售统一发票"))  # a kind the ledger does not hold
    run = run_file(seller, finance_user, upload(rows, fmt))

    assert kinds(run) == sorted([
        DiscrepancyKind.AMOUNT_MISMATCH, DiscrepancyKind.STATUS_MISMATCH, DiscrepancyKind.BUYER_MISMATCH,
        DiscrepancyKind.MISSING_IN_LEDGER, DiscrepancyKind.MISSING_ON_PLATFORM, DiscrepancyKind.UNREADABLE,
    ])
    counts = run.counts()
    assert counts[DiscrepancyKind.MISSING_ON_PLATFORM] == 1 and counts[DiscrepancyKind.UNREADABLE] == 1
    assert run.rows_read == 9 and run.rows_matched == 4 and run.ledger_invoices == 8
    missing = Discrepancy.objects.get(run=run, kind=DiscrepancyKind.MISSING_ON_PLATFORM)
    assert missing.invoice_id == invoices[7].pk
    # The run only proposes: nothing changes until finance applies it.
    assert set(Invoice.objects.filter(seller=seller).values_list("sync_status", flat=True)) == {SyncStatus.PENDING}
    assert not InvoiceEvent.objects.filter(invoice__seller=seller, kind="reconciled").exists()
    reconciliation_apply(run=run, actor=finance_user)
    statuses = dict(Invoice.objects.filter(seller=seller).values_list("id", "sync_status"))
    assert statuses[invoices[7].pk] == SyncStatus.MISSING
    assert statuses[invoices[0].pk] == SyncStatus.SYNCED and statuses[invoices[6].pk] == SyncStatus.SYNCED
    assert statuses[invoices[1].pk] == SyncStatus.MISMATCH
    assert InvoiceEvent.objects.filter(invoice=invoices[7], kind="reconciled").count() == 1
    in_ledger = Discrepancy.objects.get(run=run, kind=DiscrepancyKind.MISSING_IN_LEDGER)
    assert in_ledger.number == "26112000000099999999" and in_ledger.platform_data["total"] in ("12.00", "12.0", "12")


def test_damaged_rows_are_listed_with_reasons_not_guessed(seller, customer, finance_user):
    invoices = ledger(seller, customer, n=5)
    rows = rows_for(invoices)
    rows[0] = invoice_row(invoices[0], digital_number=float_damaged(invoices[0].number))
    rows[1] = invoice_row(invoices[1], kind="增值税专用发票（卷式）")
    rows[2] = invoice_row(invoices[2], issued_at="2026-13-45")
    rows[3] = invoice_row(invoices[3], total="12,3x")
    run = run_file(seller, finance_user, upload(rows, "csv-utf8"))
    unreadable = {d.row_no: d.detail for d in Discrepancy.objects.filter(run=run, kind=DiscrepancyKind.UNREADABLE)}
    assert set(unreadable) == {1, 2, 3, 4}
    assert "E+19" in unreadable[1] and "数电发票号码" in unreadable[1]
    assert "发票票种" in unreadable[2]
    assert "开票日期" in unreadable[3]
    assert "价税合计" in unreadable[4]
    # The damaged rows' invoices are not guessed into matches: they are missing from the readable export.
    assert run.counts()[DiscrepancyKind.MISSING_ON_PLATFORM] == 4
    assert run.rows_matched == 1


def test_xlsx_float_cell_is_damage(seller, customer, finance_user):
    invoices = ledger(seller, customer, n=2)
    rows = rows_for(invoices)
    rows[0]["数电发票号码"] = float(invoices[0].number)  # a numeric cell, as Excel stores it
    run = run_file(seller, finance_user, upload(rows, "xlsx"))
    bad = Discrepancy.objects.get(run=run, kind=DiscrepancyKind.UNREADABLE)
    assert "E+19" in bad.detail.upper()


@pytest.mark.parametrize("fmt", ["csv-bom", "xlsx"])
def test_header_variants_and_tolerant_values(fmt, seller, customer, finance_user):
    invoices = ledger(seller, customer, n=3)
    old = legacy(seller, customer)
    red = red_for(invoices[0])
    invoices[0].refresh_from_db()
    rows = [
        invoice_row(invoices[0], digital_in_number=True),  # 数电 number repeated in 发票号码
        invoice_row(invoices[1], digital_number="", digital_in_number=True),  # 数电 number only in 发票号码
        invoice_row(invoices[2], with_time=False,
                    buyer_tax_id=invoices[2].buyer_tax_id.lower()),  # date without time, lowercase tax id
        invoice_row(old, with_time=False),  # legacy code + number
        invoice_row(red, remarks=f"被红冲蓝字全电发票号码:{invoices[0].number}"),
    ]
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in invoices[1].buyer_tax_id)
    rows[1]["购方识别号"] = full_width
    run = run_file(seller, finance_user, upload(rows, fmt, digital_header="全电发票号码"))
    assert kinds(run) == [], list(Discrepancy.objects.filter(run=run).values_list("detail", flat=True))
    assert run.rows_matched == 5 and run.file_format.startswith(fmt[:3])


def test_red_link_is_kept_for_manual_entry(seller, customer, finance_user):
    blue = ledger(seller, customer, n=1)[0]
    row = invoice_row(blue, digital_number="26112000000088888888", positive="否", amount="-100.00",
                      tax_amount="-13.00", total="-113.00", remarks=f"被红冲蓝字数电票号码： {blue.number} 红字发票信息确认单编号：1")
    run = run_file(seller, finance_user, upload(rows_for([blue]) + [row]))
    item = Discrepancy.objects.get(run=run, kind=DiscrepancyKind.MISSING_IN_LEDGER)
    assert item.platform_data["original_number"] == blue.number
    assert item.platform_data["direction"] == "red"


def test_duplicate_rows_and_other_seller_rows_are_reported(seller, customer, finance_user):
    invoices = ledger(seller, customer, n=2)
    other_seller = factories.seller()
    rows = rows_for(invoices) + [invoice_row(invoices[0]), invoice_row(invoices[1], seller_tax_id=other_seller.tax_id)]
    run = run_file(seller, finance_user, upload(rows))
    details = sorted(Discrepancy.objects.filter(run=run, kind=DiscrepancyKind.UNREADABLE).values_list("row_no", flat=True))
    assert details == [3, 4] and run.rows_matched == 2


def test_bad_file_is_refused_at_upload(seller, finance_user):
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError) as exc:
        reconciliation_start(actor=finance_user, seller=seller, period_start=PERIOD[0], period_end=PERIOD[1],
                             file=SimpleUploadedFile("x.csv", "名称,金额\n甲,1\n".encode()))
    assert "file" in exc.value.message_dict


def test_upload_queues_the_run_on_commit(seller, customer, finance_user, django_capture_on_commit_callbacks):
    invoices = ledger(seller, customer, n=2)
    with django_capture_on_commit_callbacks(execute=True):
        run = reconciliation_start(actor=finance_user, seller=seller, period_start=PERIOD[0], period_end=PERIOD[1],
                                   file=upload(rows_for(invoices)))
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.rows_matched == 2
    # A second delivery of the same task does nothing.
    assert execute(run.pk) is None
