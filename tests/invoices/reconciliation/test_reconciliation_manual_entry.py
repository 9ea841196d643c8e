"""补录 is a reviewed write: a prefilled form shows what will be written; bulk 补录 confirms count and total."""
import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from invoices.ledger.models import Invoice
from invoices.platform.export_writer import invoice_row
from invoices.reconciliation.models import Discrepancy, DiscrepancyKind, Resolution
from invoices.reconciliation.pipeline.runner import execute
from invoices.reconciliation.services.runs import reconciliation_start

from ...recon_helpers import PERIOD, ledger, rows_for, upload

pytestmark = pytest.mark.django_db
EXTRA = [("26112000000077777771", "200.00", "12.00", "212.00"), ("26112000000077777772", "100.00", "13.00", "113.00"),
         ("26112000000077777773", "1000.00", "90.00", "1090.00")]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def missing(seller, customer, finance_user):
    invoices = ledger(seller, customer, n=2)
    extra = [invoice_row(invoices[0], digital_number=n, amount=a, tax_amount=t, total=s) for n, a, t, s in EXTRA]
    run = reconciliation_start(actor=finance_user, seller=seller, period_start=PERIOD[0], period_end=PERIOD[1],
                               file=upload(rows_for(invoices) + extra))
    execute(run.pk)
    return list(Discrepancy.objects.filter(run=run, kind=DiscrepancyKind.MISSING_IN_LEDGER).order_by("number"))


def reviewed(page):
    return re.search(r'name="reviewed" value="([0-9a-f]+)"', page).group(1)


def test_review_form_shows_exactly_what_will_be_written(client, finance_user, missing, customer):
    item = missing[0]
    client.force_login(finance_user)
    url = reverse("admin:invoices_discrepancy_manual_entry", args=[item.pk])
    page = client.get(url).content.decode()
    assert "26112000000077777771" in page and "¥200.00" in page and "¥12.00" in page and "¥212.00" in page
    assert "6%" in page and customer.tax_id in page
    assert not Invoice.objects.filter(number=item.number).exists()

    page = client.post(url, {"line_name": "技术服务费", "tax_rate": "0.06", "reviewed": reviewed(page),
                             "preview": "1"}).content.decode()
    assert "技术服务费" in page and not Invoice.objects.filter(number=item.number).exists()
    response = client.post(url, {"line_name": "技术服务费", "tax_rate": "0.06", "reviewed": reviewed(page),
                                 "apply": "1"})
    assert response.status_code == 302
    invoice = Invoice.objects.get(number=item.number)
    line = invoice.lines.get()
    assert line.name == "技术服务费" and str(invoice.total) == "212.00" and line.tax_rate * 100 == 6
    assert set(invoice.events.values_list("kind", flat=True)) == {"issued", "reconciled"}
    item.refresh_from_db()
    # The note names the invoice by its number, never its database id.
    assert item.resolution == Resolution.MANUAL_ENTRY and item.number in item.resolution_note
    assert f"#{invoice.pk}" not in item.resolution_note


def test_a_changed_line_is_shown_again_before_it_is_written(client, finance_user, missing):
    item = missing[0]
    client.force_login(finance_user)
    url = reverse("admin:invoices_discrepancy_manual_entry", args=[item.pk])
    stale = reviewed(client.get(url).content.decode())
    page = client.post(url, {"line_name": "技术服务费", "tax_rate": "0.13", "reviewed": stale, "apply": "1"})
    assert page.status_code == 200 and not Invoice.objects.filter(number=item.number).exists()
    text = page.content.decode()
    assert "13%" in text and reviewed(text) != stale


def test_review_refuses_amounts_no_rate_fits_until_a_rate_is_given(client, finance_user, missing):
    item = missing[0]
    item.platform_data = {**item.platform_data, "tax_amount": "77.00"}
    item.save(update_fields=["platform_data"])
    client.force_login(finance_user)
    url = reverse("admin:invoices_discrepancy_manual_entry", args=[item.pk])
    page = client.get(url).content.decode()
    assert "77.00" in page and 'name="apply"' not in page


def test_bulk_manual_entry_confirms_count_and_total(client, finance_user, missing):
    client.force_login(finance_user)
    url = reverse("admin:invoices_discrepancy_changelist")
    ids = [str(item.pk) for item in missing]
    page = client.post(url, {"action": "manual_entry", ACTION_CHECKBOX_NAME: ids})
    assert page.status_code == 200
    text = page.content.decode()
    assert "¥1,415.00" in text and page.context["count"] == 3
    assert not Invoice.objects.filter(number__startswith="2611200000007777777").exists()
    done = client.post(url, {"action": "manual_entry", ACTION_CHECKBOX_NAME: ids, "apply": "1"})
    assert done.status_code == 302
    assert Invoice.objects.filter(number__startswith="2611200000007777777").count() == 3


def test_one_selected_discrepancy_opens_its_review_form(client, finance_user, missing):
    client.force_login(finance_user)
    response = client.post(reverse("admin:invoices_discrepancy_changelist"),
                           {"action": "manual_entry", ACTION_CHECKBOX_NAME: [str(missing[1].pk)]})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:invoices_discrepancy_manual_entry", args=[missing[1].pk])
    assert not Invoice.objects.filter(number=missing[1].number).exists()


def test_review_needs_finance(client, manager_user, missing):
    client.force_login(manager_user)
    url = reverse("admin:invoices_discrepancy_manual_entry", args=[missing[0].pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"line_name": "x", "tax_rate": "0.06", "apply": "1"}).status_code == 403
    assert not Invoice.objects.filter(number=missing[0].number).exists()
