from decimal import Decimal

from invoices.ledger.money import line_tax, money, split_inclusive


def test_line_tax_rounds_half_up_not_bankers():
    # 0.50 * 0.13 = 0.065 → 0.07 half-up (banker's rounding would give 0.06)
    assert line_tax(Decimal("0.50"), Decimal("0.13")) == Decimal("0.07")
    assert line_tax(Decimal("-0.50"), Decimal("0.13")) == Decimal("-0.07")


def test_split_inclusive_price():
    amount, tax = split_inclusive("113.00", "0.13")
    assert (amount, tax) == (Decimal("100.00"), Decimal("13.00"))
    amount, tax = split_inclusive("10.00", "0.06")
    assert amount + tax == Decimal("10.00") and amount == Decimal("9.43")


def test_money_never_goes_through_float():
    assert money(0.1) == Decimal("0.10")
    assert money("1,234.565") == Decimal("1234.57")
