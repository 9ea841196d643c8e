import pytest
from django.core.exceptions import ValidationError

from invoices.ledger.models import Customer
from invoices.ledger.services.customers import customer_create, customer_update

pytestmark = pytest.mark.django_db


def test_tax_id_is_normalised_and_unique():
    c = customer_create(name="甲公司", tax_id="９１１１０１０８５５１３８５０８２ｑ")
    assert c.tax_id == "91110108551385082Q"
    with pytest.raises(ValidationError) as exc:
        customer_create(name="乙公司", tax_id="91110108 551385082q")
    assert "already has" in exc.value.message_dict["tax_id"][0]


def test_customers_without_tax_id_can_coexist():
    first = customer_create(name="个人甲")
    second = customer_create(name="个人乙")
    # Both kept, neither given a made-up id: the unique constraint on tax_id ignores the empty ones.
    assert first.pk != second.pk and first.tax_id == second.tax_id == ""
    assert Customer.objects.filter(tax_id="").count() == 2


def test_update_validates_and_reports_each_field(customer):
    with pytest.raises(ValidationError) as exc:
        customer_update(customer=customer, name="", tax_id="12", email="not-an-email")
    assert set(exc.value.message_dict) == {"name", "tax_id", "email"}
    updated = customer_update(customer=customer, email="ap@example.cn")
    assert updated.email == "ap@example.cn"
