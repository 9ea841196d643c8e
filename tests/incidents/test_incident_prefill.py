"""创建事件 from an invoice: every multi-value prefill is a list of ids, never a string split into characters."""
from decimal import Decimal

import pytest
from django.utils import timezone

from incidents.models import Incident
from invoices.ledger.models import Invoice, InvoiceKind

IDS = [1, 2, 12, 120]


@pytest.fixture
def numbered(seller, customer):
    """Invoices whose ids have one, two and three digits: "12" split into characters would be 1 and 2."""
    now = timezone.now()
    return {pk: Invoice.objects.create(
        id=pk, kind=InvoiceKind.DIGITAL_GENERAL, number=f"2511200000000000{pk:04d}", issued_at=now, seller=seller,
        buyer=customer, buyer_name=customer.name, buyer_tax_id=customer.tax_id, amount=Decimal("100.00"),
        tax_amount=Decimal("13.00"), total=Decimal("113.00")) for pk in IDS}


def selected_invoices(response):
    form = response.context["adminform"].form
    return [int(v) for v in form["invoices"].value()]


@pytest.mark.django_db
@pytest.mark.parametrize("pk", IDS)
def test_open_incident_from_one_invoice_prefills_that_invoice(client, cs_user, numbered, pk):
    client.force_login(cs_user)
    response = client.get(f"/admin/incidents/incident/add/?invoice={pk}")
    assert response.status_code == 200
    assert selected_invoices(response) == [pk]
    html = response.content.decode()
    assert numbered[pk].number in html  # the autocomplete shows the chosen invoice by number


@pytest.mark.django_db
def test_open_incident_prefills_several_invoices_from_a_list(client, cs_user, numbered):
    client.force_login(cs_user)
    response = client.get("/admin/incidents/incident/add/?invoices=" + ",".join(map(str, IDS)))
    assert sorted(selected_invoices(response)) == IDS
    html = response.content.decode()
    assert all(numbered[pk].number in html for pk in IDS)


@pytest.mark.django_db
def test_incident_opened_from_invoice_120_saves_it_and_shows_its_number(client, cs_user, numbered):
    client.force_login(cs_user)
    now = timezone.localtime()
    response = client.post("/admin/incidents/incident/add/?invoice=120", {
        "title": "查不到发票", "kind": "complaint", "category": "invoice_missing", "severity": "sev3",
        "customer": numbered[120].buyer_id, "seller": numbered[120].seller_id, "invoices": ["120"],
        "detected_at_0": now.strftime("%Y-%m-%d"), "detected_at_1": now.strftime("%H:%M:%S"),
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    incident = Incident.objects.get()
    assert list(incident.invoices.values_list("pk", flat=True)) == [120]
    page = client.get(f"/admin/incidents/incident/{incident.pk}/change/").content.decode()
    assert numbered[120].number in page
    assert "/admin/invoices/invoice/120/change/" in page
