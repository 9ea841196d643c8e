"""The 纳税人识别号 policy of the reference (../shared/domain/einvoice.md, Taxpayer identifiers), vector by vector, and
its warnings reaching the person who typed the id: the service's result, the admin's messages, the API's `warnings`
and the customer import's preview."""
import io

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from invoices.ledger.identifiers import check_tax_id, id_card_check_char, uscc_check_char
from invoices.ledger.models import Customer
from invoices.ledger.services.customers import customer_create, customer_update
from invoices.ledger.services.issue import invoice_issue

from ... import factories

ID_CARD_VALID = "11010119900307777" + id_card_check_char("11010119900307777")  # passes GB 11643
ID_CARD_FAILING = "110101199003077777"  # the check digit of these 17 is 4


@pytest.mark.parametrize("value", ["91110000600037341L", "91110108551385082Q", "９１１１０１０８５５１３８５０８２ｑ",
                                   "9111 0108 5513 8508 2q"])
def test_a_valid_uscc_passes_without_warning(value):
    check = check_tax_id(value)
    assert check.ok and not check.warning and check.value in ("91110000600037341L", "91110108551385082Q")


@pytest.mark.parametrize("first", list("123456789ANY"))
def test_every_registration_authority_may_begin_a_uscc(first):
    body = first + "2110000MA0000000"
    assert check_tax_id(body + uscc_check_char(body)).ok


@pytest.mark.parametrize("value", ["000000000000000000", "111111111111111111", "AAAAAAAAAAAAAAAAAA"])
def test_one_repeated_character_is_a_placeholder(value):
    check = check_tax_id(value)
    assert not check.ok and "placeholder" in check.error and "纳税人识别号" in check.error


@pytest.mark.parametrize("first", list("0BCDEFGHJKLMPQRTUWX"))
def test_a_first_character_no_registration_authority_has_is_refused_even_with_a_right_check_char(first):
    body = first + "2110000MA0000000"
    check = check_tax_id(body + uscc_check_char(body))
    assert not check.ok and "registration authority" in check.error and "1-9, A, N or Y" in check.error


def test_o_for_zero_is_refused_naming_the_slip_and_the_corrected_id():
    check = check_tax_id("9111O108551385082Q")
    assert not check.ok
    assert "O at place 5 is probably 0" in check.error and "91110108551385082Q" in check.error


@pytest.mark.parametrize("typed,slip", [
    ("91110108551385O82Q", "O at place 15 is probably 0"), ("9111010855I385082Q", "I at place 11 is probably 1"),
    ("911101085S1385082Q", "S at place 10 is probably 5"), ("9111010855138508ZQ", "Z at place 17 is probably 2"),
])
def test_each_letter_the_uscc_alphabet_leaves_out_is_named_with_its_likely_digit(typed, slip):
    check = check_tax_id(typed)
    assert not check.ok and slip in check.error and "no I, O, S, V or Z" in check.error


def test_a_wrong_check_character_is_refused_naming_the_right_one():
    check = check_tax_id("91110108551385082A")
    assert not check.ok and "the 18th is Q, not A" in check.error


def test_letters_only_is_a_mistyped_uscc_not_a_legacy_id():
    check = check_tax_id("ABCDEFGHJKLMNPQRTU")
    assert not check.ok and "the 18th is " in check.error and "ABCDEFGHJKLMNPQRTU" in check.error


def test_an_id_card_number_passes_with_a_warning():
    check = check_tax_id(ID_CARD_VALID)
    assert check.ok and "居民身份证" in check.warning and not check.error


def test_an_id_card_shaped_id_failing_gb_11643_passes_with_a_warning_naming_the_check_digit():
    check = check_tax_id(ID_CARD_FAILING)
    assert check.ok and "GB 11643" in check.warning and "4, not 7" in check.warning


@pytest.mark.parametrize("legacy", ["110108551385082", "11010855138508212", "11010855138508212345",
                                    "11010855138508A"])
def test_15_17_and_20_character_legacy_ids_pass_with_a_warning(legacy):
    check = check_tax_id(legacy)
    assert check.ok and "legacy id of %d characters" % len(legacy) in check.warning


@pytest.mark.parametrize("bad", ["1234", "9111010855138508", "9111010855138508212"])
def test_other_lengths_are_refused_naming_the_lengths(bad):
    check = check_tax_id(bad)
    assert not check.ok and "15, 17 or 20" in check.error


def test_messages_are_in_chinese_too():
    with translation.override("zh-hans"):
        refused = check_tax_id("9111O108551385082Q").error
        warned = check_tax_id(ID_CARD_FAILING).warning
    assert "纳税人识别号" in refused and "统一社会信用代码" in refused and "0" in refused
    assert "居民身份证" in warned and "GB 11643" in warned and "仍予接受" in warned


# --- the warnings reach the person ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_customer_create_and_update_return_the_warnings():
    created = customer_create(name="个体户甲", tax_id=ID_CARD_FAILING)
    assert created.tax_id == ID_CARD_FAILING and len(created.warnings) == 1 and "GB 11643" in created.warnings[0]
    updated = customer_update(customer=created, tax_id="110108551385082")
    assert "legacy id of 15 characters" in updated.warnings[0]
    assert customer_update(customer=created, name="个体户乙").warnings == []
    assert customer_create(name="公司丙", tax_id="91110108551385082Q").warnings == []


@pytest.mark.django_db
def test_the_issue_service_keeps_a_buyer_tax_id_warning_on_the_invoice(seller, customer):
    invoice = invoice_issue(actor=None, seller=seller, buyer=customer, kind="digital_general",
                            lines=[factories.line()], buyer_tax_id=ID_CARD_FAILING)
    assert invoice.buyer_tax_id == ID_CARD_FAILING and "GB 11643" in invoice.warnings[0]


@pytest.mark.django_db
def test_the_api_returns_the_warnings_on_create_and_update(api_as, cs_user):
    client = api_as(cs_user)
    response = client.post("/api/v1/customers/", {"name": "个体户甲", "tax_id": ID_CARD_FAILING}, format="json",
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 201
    body = response.json()
    assert body["tax_id"] == ID_CARD_FAILING and len(body["warnings"]) == 1 and "GB 11643" in body["warnings"][0]
    patched = client.patch(f"/api/v1/customers/{body['id']}/", {"tax_id": "11010855138508212345"}, format="json",
                           HTTP_ACCEPT_LANGUAGE="en")
    assert patched.status_code == 200 and "legacy id of 20 characters" in patched.json()["warnings"][0]
    clean = client.post("/api/v1/customers/", {"name": "公司乙", "tax_id": "91110108551385082Q"}, format="json")
    assert clean.status_code == 201 and clean.json()["warnings"] == []
    assert client.get(f"/api/v1/customers/{body['id']}/").json()["warnings"] == []  # a read has none
    # By default the API speaks Chinese, warnings included.
    zh = client.post("/api/v1/customers/", {"name": "个体户丙", "tax_id": "110108551385083"}, format="json")
    assert zh.status_code == 201 and "旧纳税人识别号" in zh.json()["warnings"][0]


@pytest.mark.django_db
@pytest.mark.parametrize("bad,fragment", [("9111O108551385082Q", "O at place 5 is probably 0"),
                                          ("ABCDEFGHJKLMNPQRTU", "the 18th is"),
                                          ("000000000000000000", "placeholder")])
def test_the_api_refuses_the_reference_vectors_naming_the_field(api_as, cs_user, bad, fragment):
    response = api_as(cs_user).post("/api/v1/customers/", {"name": "公司甲", "tax_id": bad}, format="json",
                                    HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and fragment in response.json()["tax_id"][0]
    assert not Customer.objects.filter(tax_id=bad).exists()


@pytest.mark.django_db
def test_the_admin_form_shows_the_warning_after_saving(client, cs_user):
    client.force_login(cs_user)
    response = client.post(reverse("admin:invoices_customer_add"), {"name": "个体户甲", "tax_id": ID_CARD_FAILING},
                           HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert response.status_code == 200 and Customer.objects.filter(tax_id=ID_CARD_FAILING).exists()
    shown = [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]
    shown = shown or [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert any(tag == "warning" and "GB 11643" in text for tag, text in shown), shown


@pytest.mark.django_db
def test_the_admin_form_refuses_a_mistyped_uscc_naming_the_slip(client, cs_user, settings):
    client.force_login(cs_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the desk is Chinese unless the user chose English
    response = client.post(reverse("admin:invoices_customer_add"),
                           {"name": "公司甲", "tax_id": "9111O108551385082Q"})
    assert response.status_code == 200 and "O at place 5 is probably 0" in response.content.decode()
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_the_customer_import_preview_shows_a_rows_warning(client, cs_user, settings):
    settings.IMPORT_INLINE_MAX_ROWS = 300  # the inline preview (the import-job page lists errors, not warnings)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(cs_user)
    content = f"name,tax_id\n个体户甲,{ID_CARD_FAILING}\n公司乙,91110108551385082Q\n".encode()
    upload = io.BytesIO(content)
    upload.name = "customers.csv"
    response = client.post(reverse("admin:invoices_customer_import"),
                           {"import_file": upload, "format": 0, "resource": 0})
    page = response.content.decode()
    assert response.status_code == 200 and "GB 11643" in page
    assert page.count("GB 11643") == 1  # on the row that has it, not the valid USCC's
