"""Every rule speaks Chinese by default and English on request."""
import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from invoices.ledger.identifiers import check_tax_id
from invoices.ledger.services.customers import customer_create

from .. import factories


@pytest.mark.parametrize("lang,text", [("zh-hans", "统一社会信用代码"), ("en", "18-character USCC")])
def test_tax_id_rule_in_both_languages(lang, text):
    with translation.override(lang):
        assert text in check_tax_id("123").error


@pytest.mark.django_db
def test_service_errors_follow_active_language(seller, customer):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        factories.invoice(seller_obj=seller, buyer=customer, number="12")
    assert "数电发票号码必须为20位数字" in exc.value.message_dict["number"][0]


@pytest.mark.django_db
def test_api_answers_in_chinese_by_default_and_english_on_request(api_as, cs_user):
    client = api_as(cs_user)
    zh = client.post("/api/v1/customers/", {"name": "甲", "tax_id": "12"}, format="json")
    en = client.post("/api/v1/customers/", {"name": "甲", "tax_id": "12"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert zh.status_code == en.status_code == 400
    assert "纳税人识别号" in zh.json()["tax_id"][0]
    assert "18-character USCC" in en.json()["tax_id"][0]


@pytest.mark.django_db
def test_model_labels_translated():
    from invoices.ledger.models import InvoiceKind

    with translation.override("zh-hans"):
        assert str(InvoiceKind.DIGITAL_SPECIAL.label) == "数电发票（增值税专用发票）"
    with translation.override("en"):
        assert str(InvoiceKind.DIGITAL_SPECIAL.label) == "Digital e-invoice (special VAT)"


def test_customer_create_rejects_in_chinese(db):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        customer_create(name="")
    assert exc.value.message_dict["name"] == ["客户名称为必填项。"]
