"""The invoice search finds a legacy invoice pasted as the list shows it (issue 15): `code-number`."""
import pytest
from django.urls import reverse

from invoices.ledger.models import Invoice, InvoiceKind
from invoices.ledger.selectors import invoice_search

from ... import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def legacy(seller, customer):
    invoice = factories.invoice(seller_obj=seller, buyer=customer, kind=InvoiceKind.VAT_SPECIAL, code="1100222130",
                                number="10000324")
    # Same number under another code, and the same code with another number: neither is the one pasted.
    factories.invoice(seller_obj=seller, buyer=customer, kind=InvoiceKind.VAT_SPECIAL, code="1100222131",
                      number="10000324")
    factories.invoice(seller_obj=seller, buyer=customer, kind=InvoiceKind.VAT_SPECIAL, code="1100222130",
                      number="10000325")
    return invoice


@pytest.mark.parametrize("pasted", ["1100222130-10000324", " 1100222130-10000324 ", "１１００２２２１３０－１００００３２４",
                                    "1100222130 10000324", "110022213010000324"])
def test_a_legacy_number_as_shown_in_the_list_is_found(legacy, pasted):
    assert list(invoice_search(Invoice.objects.all(), pasted)) == [legacy]


def test_the_list_shows_it_and_its_search_box_finds_it(client, cs_user, legacy):
    client.force_login(cs_user)
    response = client.get(reverse("admin:invoices_invoice_changelist"), {"q": str(legacy)})
    assert str(legacy) == "1100222130-10000324"
    assert list(response.context["cl"].result_list) == [legacy]
