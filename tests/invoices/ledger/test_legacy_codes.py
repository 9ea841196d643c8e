"""发票代码 lengths per kind on the issue path, as reconciliation reads them: 10 digits for a 专票, 12 for electronic and
motor-vehicle invoices, 10 or 12 for paper 普票 (those issued before 2018 carry 10); every 数电 kind has a 20-digit
number and no code. A 10-digit paper 普票 found only on the platform is entered (补录) through the issue path."""
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from invoices.ledger.models import Invoice, InvoiceKind, SyncStatus
from invoices.ledger.services.issue import invoice_issue
from invoices.ledger.services.numbers import check_number_format
from invoices.platform.export_writer import invoice_row
from invoices.reconciliation.models import Discrepancy, DiscrepancyKind
from invoices.reconciliation.pipeline.runner import execute
from invoices.reconciliation.services.discrepancies import discrepancy_manual_entry, manual_entry_plan
from invoices.reconciliation.services.runs import reconciliation_start

from ... import factories
from ...recon_helpers import PERIOD, ledger, rows_for, upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind,code", [
    (InvoiceKind.VAT_GENERAL, "1100171320"), (InvoiceKind.VAT_GENERAL, "011001900111"),
    (InvoiceKind.VAT_GENERAL_ROLL, "1100171320"), (InvoiceKind.VAT_GENERAL_ROLL, "011001900211"),
    (InvoiceKind.VAT_SPECIAL, "1100182130"), (InvoiceKind.VAT_ELECTRONIC_GENERAL, "011001900311"),
    (InvoiceKind.VAT_ELECTRONIC_SPECIAL, "011001900411"), (InvoiceKind.MOTOR_VEHICLE, "111001920011"),
])
def test_legacy_codes_accepted_per_kind(seller, customer, kind, code):
    invoice = invoice_issue(actor=None, seller=seller, buyer=customer, kind=kind, code=code, number="01234567",
                            lines=[factories.line()], sync_status=SyncStatus.SYNCED)
    assert (invoice.code, invoice.number) == (code, "01234567")


@pytest.mark.parametrize("kind,code,wanted", [
    (InvoiceKind.VAT_SPECIAL, "011001900111", "10-digit"),
    (InvoiceKind.VAT_ELECTRONIC_GENERAL, "1100171320", "12-digit"),
    (InvoiceKind.VAT_GENERAL, "11001713", "10 or 12-digit"), (InvoiceKind.VAT_GENERAL_ROLL, "", "10 or 12-digit"),
    (InvoiceKind.MOTOR_VEHICLE, "1100171320", "12-digit"),
])
def test_a_code_of_the_wrong_length_for_its_kind_is_refused_naming_the_lengths(seller, customer, kind, code, wanted):
    with pytest.raises(ValidationError) as exc:
        invoice_issue(actor=None, seller=seller, buyer=customer, kind=kind, code=code, number="01234567",
                      lines=[factories.line()], sync_status=SyncStatus.SYNCED)
    assert wanted in exc.value.message_dict["code"][0]


@pytest.mark.parametrize("kind", [InvoiceKind.DIGITAL_PAPER_SPECIAL, InvoiceKind.DIGITAL_PAPER_GENERAL,
                                  InvoiceKind.DIGITAL_MOTOR_VEHICLE])
def test_every_digital_kind_has_a_20_digit_number_and_no_code(kind):
    assert check_number_format(kind, "", "26112000000000000001") == {}
    assert set(check_number_format(kind, "011001900111", "01234567")) == {"code", "number"}


def test_the_chinese_message_names_both_lengths():
    from django.utils import translation

    with translation.override("zh-hans"):
        message = check_number_format(InvoiceKind.VAT_GENERAL, "123", "01234567")["code"]
    assert "10或12位" in message


def test_a_10_digit_paper_general_invoice_found_only_on_the_platform_is_entered(seller, customer, finance_user):
    invoices = ledger(seller, customer, n=1)
    legacy = invoice_row(invoices[0], code="1100171320", number="07654321", digital_number="", kind="增值税普通发票",
                         amount="200.00", tax_amount="26.00", total="226.00")
    run = reconciliation_start(actor=finance_user, seller=seller, period_start=PERIOD[0], period_end=PERIOD[1],
                               file=upload(rows_for(invoices) + [legacy]))
    execute(run.pk)
    item = Discrepancy.objects.get(run=run, kind=DiscrepancyKind.MISSING_IN_LEDGER)
    discrepancy_manual_entry(discrepancy=item, actor=finance_user)
    invoice = Invoice.objects.get(code="1100171320", number="07654321")
    line = invoice.lines.get()
    assert invoice.kind == InvoiceKind.VAT_GENERAL and invoice.total == Decimal("226.00")
    # One summary line: the basic sheet has no 税收分类编码 to record.
    assert (line.tax_rate, line.tax_code) == (Decimal("0.13"), "")


def test_entering_an_old_invoice_infers_the_rate_of_its_day(seller, customer, finance_user):
    invoices = ledger(seller, customer, n=1)
    old = invoice_row(invoices[0], code="1100182130", number="07650001", digital_number="", kind="增值税专用发票",
                      amount="1000.00", tax_amount="160.00", total="1160.00", issued_at="2018-09-03 10:00:00")
    run = reconciliation_start(actor=finance_user, seller=seller, period_start=PERIOD[0], period_end=PERIOD[1],
                               file=upload(rows_for(invoices) + [old]))
    execute(run.pk)
    item = Discrepancy.objects.get(run=run, kind=DiscrepancyKind.MISSING_IN_LEDGER)
    assert manual_entry_plan(item)["line"]["tax_rate"] == Decimal("0.16")


@pytest.mark.parametrize("amount,tax,rate", [
    ("1000.00", "50.00", "0.05"), ("1000.00", "15.00", "0.015"), ("1000.00", "5.00", "0.005"),
    ("1000.00", "130.00", "0.13"), ("1.00", "0.01", "0.01"), ("1000.00", "0.00", "0.00"),
])
def test_the_rate_of_a_summary_line_is_the_nearest_fitting_one(amount, tax, rate):
    from invoices.reconciliation.services.discrepancies import _infer_rate

    assert _infer_rate(Decimal(amount), Decimal(tax)) == Decimal(rate)


def test_a_historic_rate_is_inferred_only_for_its_days():
    from invoices.reconciliation.services.discrepancies import _infer_rate

    day = timezone.localdate(timezone.make_aware(datetime(2018, 9, 3, 10, 0)))
    assert _infer_rate(Decimal("1000.00"), Decimal("160.00"), day) == Decimal("0.16")
    assert _infer_rate(Decimal("1000.00"), Decimal("160.00")) is None
