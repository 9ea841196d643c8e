"""Export headers and the export field chooser in the user's language, for every export (issue 15); a file exported
with Chinese headers imports again."""
import pytest
from django.urls import reverse
from django.utils import translation

from incidents.resources import FollowUpResource, IncidentResource
from invoices.ledger.models import Invoice
from invoices.ledger.resources import CustomerResource, InvoiceResource

from . import factories

pytestmark = pytest.mark.django_db


def test_every_export_has_chinese_headers_in_chinese(seller, customer):
    factories.invoice(seller_obj=seller, buyer=customer)
    with translation.override("zh-hans"):
        invoice_headers = InvoiceResource().export(Invoice.objects.all()).headers
        customer_headers = CustomerResource().export().headers
        incident_headers = IncidentResource().export().headers
        followup_headers = FollowUpResource().export().headers
    assert "发票号码" in invoice_headers and "发票代码" in invoice_headers
    for headers in (invoice_headers, customer_headers, incident_headers, followup_headers):
        assert not [h for h in headers if h.isascii() and h.isalpha() and h != "ID"], headers


def test_an_invoice_file_exported_in_chinese_imports_again(seller, customer, finance_user):
    invoice = factories.invoice(seller_obj=seller, buyer=customer, lines=[factories.line("10.00"),
                                                                           factories.line("20.00", "0.06")])
    with translation.override("zh-hans"):
        data = InvoiceResource().export(Invoice.objects.filter(pk=invoice.pk))
    result = InvoiceResource().import_data(data, dry_run=True, user=finance_user)
    assert not result.has_errors() and not result.has_validation_errors()
    # Read back as the same invoice, already in the ledger: nothing new, nothing invalid.
    assert result.totals["new"] == 0 and result.totals["invalid"] == 0 and result.totals["skip"] >= 1


def test_the_export_field_chooser_speaks_chinese(client, finance_user):
    client.force_login(finance_user)
    page = client.get(reverse("admin:invoices_customer_export"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Tax Id" not in page and "(tax_id)" not in page
    assert str(translation.gettext("name")) in page or "名称" in page
