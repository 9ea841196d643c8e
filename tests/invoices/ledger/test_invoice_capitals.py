"""价税合计（大写）: the examples finance writes, and properties over any amount: never two 零 in a row, and a
parser written here (from the numerals' meaning, not from the function) reads every output back."""
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoices.ledger.capitals import amount_in_capitals

DIGIT = {ch: i for i, ch in enumerate("零壹贰叁肆伍陆柒捌玖")}
SMALL = {"拾": 10, "佰": 100, "仟": 1000}
BIG = {"万": 10**4, "亿": 10**8, "兆": 10**12}


def parse(text):
    """Capitals back to a Decimal: sections multiply by 万, 亿 or 万亿, digits by 拾佰仟."""
    sign = 1
    if text.startswith("（负数）"):
        sign, text = -1, text[len("（负数）"):]
    assert text, "nothing after the sign"
    yuan_text, _, cents_text = text.partition("圆") if "圆" in text else ("", "", text)
    total, section, digit = 0, 0, 0
    for ch in yuan_text.replace("万亿", "兆"):
        if ch in DIGIT:
            digit = DIGIT[ch]
        elif ch in SMALL:
            section += digit * SMALL[ch]
            digit = 0
        elif ch in BIG:
            section += digit
            total += section * BIG[ch]
            section = digit = 0
        else:
            raise AssertionError(f"unexpected {ch!r} in {text!r}")
    total += section + digit
    cents = 0
    rest = cents_text
    if rest == "整":
        rest = ""
    else:
        assert not rest.endswith("整"), text
    digit = 0
    for ch in rest:
        if ch in DIGIT:
            digit = DIGIT[ch]
        elif ch == "角":
            cents += digit * 10
            digit = 0
        elif ch == "分":
            cents += digit
            digit = 0
        else:
            raise AssertionError(f"unexpected {ch!r} in {text!r}")
    return sign * (Decimal(total) + Decimal(cents) / 100)


@pytest.mark.parametrize("amount, words", [
    ("12345.67", "壹万贰仟叁佰肆拾伍圆陆角柒分"),
    ("100", "壹佰圆整"),
    ("10005", "壹万零伍圆整"),
    ("0.50", "伍角"),
    ("0.05", "伍分"),
    ("0", "零圆整"),
    ("1.05", "壹圆零伍分"),
    ("10.50", "壹拾圆伍角"),
    ("100010", "壹拾万零壹拾圆整"),
    ("100000001", "壹亿零壹圆整"),
    ("100010000", "壹亿零壹万圆整"),
    ("10001000", "壹仟万壹仟圆整"),
    ("1000000010", "壹拾亿零壹拾圆整"),
    ("-113.00", "（负数）壹佰壹拾叁圆整"),
    ("-0.50", "（负数）伍角"),
])
def test_examples_as_finance_writes_them(amount, words):
    assert amount_in_capitals(Decimal(amount)) == words


def test_out_of_range_is_refused():
    with pytest.raises(ValueError):
        amount_in_capitals(Decimal("10000000000000000"))


amounts = st.decimals(min_value=Decimal("-9999999999999999.99"), max_value=Decimal("9999999999999999.99"),
                      places=2, allow_nan=False, allow_infinity=False)


@given(amounts)
def test_never_two_zeros_in_a_row_and_reads_back(amount):
    words = amount_in_capitals(amount)
    assert "零零" not in words
    assert parse(words) == amount
    assert words.endswith("整") == (amount == amount.to_integral_value())


@given(st.integers(min_value=1, max_value=10**16 - 1))
def test_whole_amounts_never_end_or_start_with_zero(value):
    words = amount_in_capitals(Decimal(value))
    assert not words.startswith("零") and "零圆" not in words and "零万" not in words and "零亿" not in words
