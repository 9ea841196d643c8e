"""Raw data as people write it on the invoice and reconciliation pages and lists (issue 15): 13 not
13.0000000000000, 13% not 0.1300, ¥1,234.50, invoices by number not #id, rows not JSON."""
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from invoices.platform.export_writer import invoice_row
from invoices.reconciliation.models import Discrepancy, DiscrepancyKind
from invoices.reconciliation.pipeline.runner import execute
from invoices.reconciliation.services.runs import reconciliation_start

from .. import factories
from ..recon_helpers import PERIOD, ledger, rows_for, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_invoice_page_writes_amounts_rates_and_quantities_plainly(client, finance_user, seller, customer):
    invoice = factories.invoice(seller_obj=seller, buyer=customer, lines=[
        factories.line("1234.50", "0.13", quantity=Decimal(13), unit_price=Decimal("94.9615384615385"))])
    client.force_login(finance_user)
    page = client.get(reverse("admin:invoices_invoice_change", args=[invoice.pk])).content.decode()
    assert "¥1,234.50" in page and "¥160.49" in page and "¥1,394.99" in page
    assert ">13%<" in page and "0.1300" not in page
    assert ">13<" in page and "13.0000000000000" not in page


def test_the_invoice_list_shows_issue_time_seller_and_money(client, finance_user, seller, customer):
    invoice = factories.invoice(seller_obj=seller, buyer=customer, lines=[factories.line("1234.50", "0.13")])
    client.force_login(finance_user)
    response = client.get(reverse("admin:invoices_invoice_changelist"))
    headers = [str(h["text"]) for h in response.context["result_headers"]]
    assert "开票时间" in headers and any("销售方" in h for h in headers), headers
    page = response.content.decode()
    assert "¥1,394.99" in page and seller.name in page and str(invoice) in page


@pytest.fixture
def finished_run(seller, customer, finance_user):
    invoices = ledger(seller, customer, n=3)
    differing = invoice_row(invoices[1], amount="200.00", tax_amount="12.00", total="212.00")
    run = reconciliation_start(actor=finance_user, seller=seller, period_start=PERIOD[0], period_end=PERIOD[1],
                               file=upload(rows_for(invoices[:1]) + [differing]))
    execute(run.pk)
    return run


def test_the_discrepancy_list_names_invoices_by_number_and_amounts_in_yuan(client, finance_user, finished_run):
    client.force_login(finance_user)
    page = client.get(reverse("admin:invoices_discrepancy_changelist")).content.decode()
    mismatch = Discrepancy.objects.get(kind=DiscrepancyKind.AMOUNT_MISMATCH)
    missing = Discrepancy.objects.get(kind=DiscrepancyKind.MISSING_ON_PLATFORM)
    assert mismatch.number in page and missing.number in page
    assert not re.search(r">#\d+<", page)
    assert "¥212.00" in mismatch.detail and "tax_amount" not in mismatch.detail


def test_the_discrepancy_page_shows_the_platform_row_as_a_table(client, finance_user, finished_run):
    client.force_login(finance_user)
    mismatch = Discrepancy.objects.get(kind=DiscrepancyKind.AMOUNT_MISMATCH)
    page = client.get(reverse("admin:invoices_discrepancy_change", args=[mismatch.pk])).content.decode()
    assert "&quot;" not in page and "{" not in page.split("<body")[1].split("<script")[0]
    assert "¥212.00" in page and "buyer_tax_id" not in page


def test_the_run_page_names_the_file_format_in_words(client, finance_user, finished_run):
    client.force_login(finance_user)
    response = client.get(reverse("admin:invoices_reconciliationrun_change", args=[finished_run.pk]))
    page = response.content.decode()
    assert "utf-8-sig" not in page and "CSV, UTF8 with signature" in page or "CSV（UTF8，带签名）" in page


def test_an_event_kind_and_a_discrepancy_kind_are_not_called_invoice_kind(client, finance_user, finished_run):
    from invoices.ledger.models import Invoice, InvoiceEvent

    client.force_login(finance_user)
    invoice = Invoice.objects.filter(events__isnull=False).first()
    with translation.override("zh-hans"):
        assert str(InvoiceEvent._meta.get_field("kind").verbose_name) != str(Invoice._meta.get_field("kind").verbose_name)
        assert str(Discrepancy._meta.get_field("kind").verbose_name) != str(Invoice._meta.get_field("kind").verbose_name)
    page = client.get(reverse("admin:invoices_discrepancy_changelist")).content.decode()
    assert "差异类型" in page
    page = client.get(reverse("admin:invoices_invoice_change", args=[invoice.pk])).content.decode()
    assert "事件类型" in page
