"""Export headers and the export field chooser in the user's language, for every export (issue 15); a file exported
with Chinese headers imports again."""
import pytest
from django.urls import reverse
from django.utils import translation

from incidents.resources import FollowUpResource, IncidentResource
from incidents.services.followups import followup_create
from invoices.ledger.models import Invoice
from invoices.ledger.resources import CustomerResource, InvoiceResource

from ... import factories
from ...incident_helpers import open_incident

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


@pytest.mark.parametrize("name, raw, chinese", [
    ("incident", ["(reference)", "Reference", "(resolve_due_at)", "(invoices)"], ["编号", "解决期限", "涉及发票"]),
    ("followup", ["(due_at)", "Due At", "(assignee)"], ["到期时间", "被指派人"])])
def test_the_incident_and_follow_up_export_choosers_speak_chinese(client, manager_user, name, raw, chinese):
    """The export page of the incident lists names its fields as the file's headers do: the model's Chinese verbose
    names, never `Reference (reference)`."""
    client.force_login(manager_user)
    page = client.get(reverse(f"admin:incidents_{name}_export"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert not [word for word in raw if word in page], [word for word in raw if word in page]
    for label in chinese:
        assert label in page, label
    assert "Select all" not in page and "全选" in page


@pytest.mark.parametrize("name, resource, expected", [
    ("incident", IncidentResource, ["编号", "标题"]), ("followup", FollowUpResource, ["标题", "到期时间"])])
def test_the_exported_incident_and_follow_up_files_have_chinese_headers(client, manager_user, cs_user, name,
                                                                         resource, expected):
    """What the manager downloads from the export page: the CSV's header row is Chinese."""
    incident = open_incident(cs_user, owner=cs_user)
    followup_create(incident=incident, title="周四回电", due_at=incident.created_at, actor=cs_user)
    client.force_login(manager_user)
    url = reverse(f"admin:incidents_{name}_export")
    form = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").context["form"]
    data = {"format": "0", "resource": "0", "export_items": [], "export_submit": "1"}
    data.update({key: "on" for key in form.fields if key.startswith(resource.__name__.lower() + "_")})
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200, response.content[:500]
    header = response.content.decode("utf-8-sig").splitlines()[0].split(",")
    assert set(expected) <= set(header), header
    assert not [h for h in header if h.isascii() and h.isalpha()], header  # no database id either
