from decimal import Decimal

import pytest

from core.admin.written import money, plain_number, rate


@pytest.mark.parametrize("value, shown", [
    (Decimal("13.0000000000000"), "13"), (Decimal("0.0600"), "0.06"), (Decimal("1E+1"), "10"),
    (Decimal("-16.0000000000000"), "-16"), (Decimal("0E-10"), "0"), (None, ""), ("2.50", "2.5"),
])
def test_plain_number(value, shown):
    assert plain_number(value) == shown


@pytest.mark.parametrize("value, shown", [
    (Decimal("1234.5"), "¥1,234.50"), (Decimal("-64792.32"), "-¥64,792.32"), (Decimal("0"), "¥0.00"),
    ("117030.71", "¥117,030.71"), (None, ""),
])
def test_money(value, shown):
    assert money(value) == shown


@pytest.mark.parametrize("value, shown", [
    (Decimal("0.1300"), "13%"), (Decimal("0.06"), "6%"), (Decimal("0.00"), "0%"), (Decimal("0.015"), "1.5%"),
    (None, ""),
])
def test_rate(value, shown):
    assert rate(value) == shown
