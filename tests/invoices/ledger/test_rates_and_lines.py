"""The issue rules of the reference (../shared/domain/einvoice.md, Tax): every rate in use, historic rates only on a
red invoice whose original carries them (or on the record of an invoice of their day), a 0% line's flag, 数量 × 单价
= 金额 within a cent, a required known 税收分类编码, and rate labels printed as the reference writes them."""
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from invoices.ledger.forms import InvoiceLineForm
from invoices.ledger.models import Direction, InvoiceKind, InvoiceLine, SyncStatus
from invoices.ledger.money import HISTORIC_RATES, TAX_RATES, rate_label, rates_text
from invoices.ledger.services.issue import invoice_issue

from ... import factories

pytestmark = pytest.mark.django_db


def issue(seller, customer, lines, **kwargs):
    kwargs.setdefault("kind", InvoiceKind.DIGITAL_GENERAL)
    return invoice_issue(actor=None, seller=seller, buyer=customer, lines=lines, **kwargs)


def refused(seller, customer, lines, **kwargs):
    with pytest.raises(ValidationError) as exc:
        issue(seller, customer, lines, **kwargs)
    return exc.value.message_dict


def at(year, month, day):
    return timezone.make_aware(datetime(year, month, day, 10, 0))


# --- rates ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("rate,tax", [
    ("0.13", "130.00"), ("0.09", "90.00"), ("0.06", "60.00"), ("0.05", "50.00"), ("0.03", "30.00"),
    ("0.01", "10.00"), ("0.015", "15.00"), ("0.005", "5.00"),
])
def test_every_rate_in_use_is_issued_with_its_tax(seller, customer, rate, tax):
    invoice = issue(seller, customer, [factories.line("1000.00", rate)])
    line = invoice.lines.get()
    assert line.tax_rate == Decimal(rate) and line.tax_amount == Decimal(tax)


def test_zero_rate_is_issued_with_its_flag(seller, customer):
    invoice = issue(seller, customer, [factories.line("1000.00", "0.00", zero_rate_flag="export_zero")])
    line = invoice.lines.get()
    assert line.tax_amount == 0 and line.zero_rate_flag == "export_zero"


@pytest.mark.parametrize("rate", ["0.07", "0.02", "0.12", "0.025", "0.0001"])
def test_a_rate_never_in_use_is_refused_naming_the_allowed_ones_from_the_list(seller, customer, rate):
    errors = refused(seller, customer, [factories.line("1000.00", rate)])
    message = errors["lines.1.tax_rate"][0]
    assert rate_label(rate) in message and rates_text() in message
    for allowed in ("5%", "1.5%", "0.5%", "13%"):
        assert allowed in message


@pytest.mark.parametrize("rate", sorted(HISTORIC_RATES))
def test_a_historic_rate_is_refused_on_a_new_blue_invoice_naming_the_rate_and_the_rule(seller, customer, rate):
    errors = refused(seller, customer, [factories.line("1000.00", str(rate))])
    message = errors["lines.1.tax_rate"][0]
    assert rate_label(rate) in message and "no longer in force" in message and "red invoice" in message


@pytest.mark.parametrize("rate,day", [
    ("0.16", (2018, 6, 1)), ("0.10", (2019, 3, 31)), ("0.17", (2017, 12, 1)), ("0.11", (2018, 4, 30)),
])
def test_the_record_of_an_old_invoice_issued_while_its_rate_was_in_force_is_accepted(seller, customer, rate, day):
    invoice = issue(seller, customer, [factories.line("1000.00", rate)], kind=InvoiceKind.VAT_SPECIAL,
                    code="1100182130", number="00012345", issued_at=at(*day), sync_status=SyncStatus.SYNCED)
    assert invoice.lines.get().tax_rate == Decimal(rate)


@pytest.mark.parametrize("rate,day", [("0.16", (2019, 4, 1)), ("0.16", (2018, 4, 30)), ("0.17", (2018, 5, 1))])
def test_a_historic_rate_outside_its_days_is_refused(seller, customer, rate, day):
    errors = refused(seller, customer, [factories.line("1000.00", rate)], kind=InvoiceKind.VAT_SPECIAL,
                     code="1100182130", number="00012345", issued_at=at(*day), sync_status=SyncStatus.SYNCED)
    assert rate_label(rate) in errors["lines.1.tax_rate"][0]


def old_blue_at(seller, customer, rate):
    return issue(seller, customer, [factories.line("1000.00", rate, quantity=Decimal(4), unit_price=Decimal(250))],
                 kind=InvoiceKind.VAT_SPECIAL, code="1100182130", number="00054321", issued_at=at(2018, 9, 3),
                 sync_status=SyncStatus.SYNCED)


def test_a_red_invoice_takes_its_originals_historic_rate(seller, customer):
    original = old_blue_at(seller, customer, "0.16")
    red = issue(seller, customer, [factories.line("-1000.00", "0.16", quantity=Decimal(-4), unit_price=Decimal(250))],
                direction=Direction.RED, original=original)
    assert red.tax_amount == Decimal("-160.00")
    original.refresh_from_db()
    assert original.status == "red_flushed"


def test_a_red_invoice_at_a_historic_rate_its_original_does_not_carry_is_refused(seller, customer):
    original = old_blue_at(seller, customer, "0.16")
    errors = refused(seller, customer, [factories.line("-1000.00", "0.17")], direction=Direction.RED,
                     original=original)
    message = errors["lines.1.tax_rate"][0]
    assert "17%" in message and str(original) in message


def test_a_red_invoice_against_a_current_original_cannot_use_a_historic_rate(seller, customer):
    original = issue(seller, customer, [factories.line("1000.00", "0.13")])
    errors = refused(seller, customer, [factories.line("-1000.00", "0.16")], direction=Direction.RED,
                     original=original)
    assert "16%" in errors["lines.1.tax_rate"][0]


def test_rate_labels_print_the_fractional_rates():
    assert [rate_label(r) for r in TAX_RATES] == ["13%", "9%", "6%", "5%", "3%", "1%", "1.5%", "0.5%", "0%"]
    assert rate_label(Decimal("0.1600")) == "16%" and rate_label("0.0150") == "1.5%"


def test_the_issue_forms_rate_select_offers_every_rate_with_its_label():
    choices = dict(InvoiceLineForm().fields["tax_rate"].choices)
    assert choices["0.015"] == "1.5%" and choices["0.005"] == "0.5%" and choices["0.05"] == "5%"
    form = InvoiceLineForm(data={"name": "房屋租赁", "amount": "1000.00", "tax_rate": "0.015"})
    assert form.is_valid(), form.errors


# --- zero-rate flag ------------------------------------------------------------------------------------------

def test_a_zero_rate_line_without_its_flag_is_refused_naming_the_field(seller, customer):
    errors = refused(seller, customer, [factories.line("1000.00", "0.00", zero_rate_flag="")])
    message = errors["lines.1.zero_rate_flag"][0]
    assert "zero_rate_flag" in message and "免税" in message and "出口零税率" in message


def test_a_flag_on_a_non_zero_rate_is_refused(seller, customer):
    errors = refused(seller, customer, [factories.line("1000.00", "0.06", zero_rate_flag="exempt")])
    assert "rate 0" in errors["lines.1.tax_rate"][0]


def test_a_red_line_copies_its_originals_flag_or_its_absence(seller, customer):
    original = issue(seller, customer, [factories.line("1000.00", "0.00", zero_rate_flag="not_taxable")])
    # An original recorded before flags were kept: the red line copies the missing flag and is not refused.
    InvoiceLine.objects.filter(invoice=original).update(zero_rate_flag="")
    red = issue(seller, customer, [factories.line("-1000.00", "0.00", zero_rate_flag="")], direction=Direction.RED,
                original=original)
    assert red.lines.get().zero_rate_flag == ""


# --- quantity × unit price = amount ------------------------------------------------------------------------

@pytest.mark.parametrize("quantity,price,amount", [("3", "10", "100.00"), ("2", "10", "999.00"),
                                                   ("3", "33.32", "100.00")])
def test_quantity_times_price_must_agree_with_the_amount(seller, customer, quantity, price, amount):
    errors = refused(seller, customer, [factories.line(amount, quantity=Decimal(quantity), unit_price=Decimal(price))])
    message = errors["lines.1.amount"][0]
    product = (Decimal(quantity) * Decimal(price)).quantize(Decimal("0.01"))
    assert f"Quantity {quantity}" in message and f"unit price {price}" in message and str(product) in message
    assert amount in message


@pytest.mark.parametrize("quantity,price,amount", [("3", "33.3333333", "100.00"), ("3", "33.33", "99.99"),
                                                   ("0.5", "1999.999", "1000.00"), ("1", "100", "100.01")])
def test_quantity_times_price_within_a_cent_is_accepted(seller, customer, quantity, price, amount):
    invoice = issue(seller, customer, [factories.line(amount, quantity=Decimal(quantity), unit_price=Decimal(price))])
    assert invoice.lines.get().amount == Decimal(amount)


def test_only_quantity_or_only_price_is_not_checked(seller, customer):
    invoice = issue(seller, customer, [factories.line("100.00", quantity=Decimal(3)),
                                       factories.line("100.00", unit_price=Decimal(7))])
    assert invoice.lines.count() == 2


def test_a_red_line_has_a_negative_quantity_and_a_positive_price(seller, customer):
    original = issue(seller, customer, [factories.line("1000.00", quantity=Decimal(4), unit_price=Decimal(250))])
    red = issue(seller, customer, [factories.line("-500.00", quantity=Decimal(-2), unit_price=Decimal(250))],
                direction=Direction.RED, original=original)
    assert red.lines.get().quantity == Decimal(-2)
    errors = refused(seller, customer, [factories.line("-500.00", quantity=Decimal(-3), unit_price=Decimal(250))],
                     direction=Direction.RED, original=original)
    assert "750.00" in errors["lines.1.amount"][0]


# --- 税收分类编码 ---------------------------------------------------------------------------------------------

def test_a_new_invoice_needs_a_tax_code(seller, customer):
    errors = refused(seller, customer, [factories.line(tax_code="")])
    assert "required" in errors["lines.1.tax_code"][0] and "税收分类编码" in errors["lines.1.tax_code"][0]


@pytest.mark.parametrize("code,fragment", [
    ("304020103", "exactly 19 digits"), ("30402010300000000000", "exactly 19 digits"),
    ("30402010300000000A0", "exactly 19 digits"), ("9990000000000000000", "no known branch"),
    ("2990000000000000000", "no known branch"),
])
def test_a_malformed_or_unknown_tax_code_is_refused_saying_which(seller, customer, code, fragment):
    errors = refused(seller, customer, [factories.line(tax_code=code)])
    assert fragment in errors["lines.1.tax_code"][0] and code in errors["lines.1.tax_code"][0]


def test_a_full_width_code_is_normalised(seller, customer):
    invoice = issue(seller, customer, [factories.line(tax_code="３０４０２０１０３００００００００００")])
    assert invoice.lines.get().tax_code == "3040201030000000000"


def test_an_original_without_a_code_is_still_red_flushable(seller, customer):
    original = issue(seller, customer, [factories.line("1000.00")])
    InvoiceLine.objects.filter(invoice=original).update(tax_code="")  # recorded before codes were required
    red = issue(seller, customer, [factories.line("-1000.00", tax_code="")], direction=Direction.RED,
                original=original)
    assert red.lines.get().tax_code == ""


def test_a_red_line_copies_an_originals_code_under_no_known_branch(seller, customer):
    original = issue(seller, customer, [factories.line("1000.00")])
    InvoiceLine.objects.filter(invoice=original).update(tax_code="9990000000000000000")
    red = issue(seller, customer, [factories.line("-1000.00", tax_code="9990000000000000000")],
                direction=Direction.RED, original=original)
    assert red.lines.get().tax_code == "9990000000000000000"
    errors = refused(seller, customer, [factories.line("-10.00", tax_code="9980000000000000000")],
                     direction=Direction.RED, original=original)
    assert "no known branch" in errors["lines.1.tax_code"][0]


def test_the_batch_path_applies_the_same_line_rules(seller, customer):
    from invoices.ledger.services.issue_batch import invoice_issue_batch

    item = {"seller": seller, "buyer": customer, "kind": InvoiceKind.DIGITAL_GENERAL}
    results = invoice_issue_batch(actor=None, items=[
        {**item, "lines": [factories.line("1000.00", "0.05")]},
        {**item, "lines": [factories.line("100.00", quantity=Decimal(3), unit_price=Decimal(10))]},
        {**item, "lines": [factories.line(tax_code="")]},
        {**item, "lines": [factories.line("100.00", "0.16")]},
    ])
    assert results[0].invoice is not None and results[0].invoice.tax_amount == Decimal("50.00")
    assert [sorted(r.errors) for r in results[1:]] == [["lines.1.amount"], ["lines.1.tax_code"],
                                                       ["lines.1.tax_rate"]]
