"""Property tests (hypothesis) for the parsers every import, API call and admin form goes through."""
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from invoices.ledger.identifiers import (
    USCC_ALPHABET,
    check_tax_id,
    is_digits,
    is_valid_uscc,
    looks_like_float_damage,
    normalize_text,
    uscc_check_char,
)
from invoices.ledger.models import DIGITAL_KINDS, InvoiceKind
from invoices.ledger.money import line_tax, money, split_inclusive, to_decimal
from invoices.ledger.services.numbers import check_number_format

settings.register_profile("suite", max_examples=300, deadline=None)
settings.load_profile("suite")

uscc_bodies = st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17)
anything = st.one_of(st.none(), st.text(), st.integers(), st.floats(), st.decimals(), st.booleans(), st.binary())


# --- tax ids -------------------------------------------------------------------------------------------------

@given(st.one_of(st.none(), st.text()))
@example("ΐ")  # upper-casing yields a decomposed form that NFKC then recomposes
@example("a \u0301")  # a combining mark left next to a letter once the space is gone
@example("\u00a8")  # NFKC turns a diaeresis into a space plus a combining mark
def test_normalisation_never_raises_and_is_idempotent(raw):
    once = normalize_text(raw)
    assert isinstance(once, str)
    assert normalize_text(once) == once
    assert not any(ch.isspace() for ch in once)


@given(st.one_of(st.none(), st.text()))
def test_tax_id_check_never_raises_and_accepts_only_normal_ascii(raw):
    check = check_tax_id(raw)
    assert check.ok != bool(check.error)
    if check.ok:
        assert check.value.isascii() and check.value.isalnum() and check.value == check.value.upper()
        assert len(check.value) in (15, 17, 18, 20)


# The first character of a USCC is a registration authority code (1-9, A, N, Y); one repeated character is a
# placeholder, never a taxpayer's id.
uscc_real_bodies = st.builds(lambda first, rest: first + rest, st.sampled_from("123456789ANY"),
                             st.text(alphabet=USCC_ALPHABET, min_size=16, max_size=16)).filter(lambda b: len(set(b)) > 1)


@given(uscc_real_bodies)
def test_uscc_built_from_any_17_valid_chars_passes(body):
    value = body + uscc_check_char(body)
    assert is_valid_uscc(value)
    check = check_tax_id(value)
    assert check.ok and check.value == value and not check.warning


@given(uscc_bodies, st.integers(0, 17), st.characters())
def test_any_single_character_change_of_a_valid_uscc_fails(body, position, replacement):
    value = body + uscc_check_char(body)
    assume(replacement != value[position])
    changed = value[:position] + replacement + value[position + 1:]
    assert not is_valid_uscc(changed)


@given(uscc_bodies, st.text(st.characters(categories=["Zs", "Cc", "Cf"]), min_size=1, max_size=3))
@example("91110000600037341", "\n")  # "$" in a regex matches before a trailing newline
@example("91110000600037341", "\u200b")  # zero-width space pasted from a web page
def test_uscc_with_invisible_padding_is_not_itself_a_uscc_but_normalises_to_one(body, padding):
    value = body + uscc_check_char(body)
    assert not is_valid_uscc(value + padding) and not is_valid_uscc(padding + value)
    assert check_tax_id(padding + value.lower() + padding).value == value


# --- invoice numbers -----------------------------------------------------------------------------------------

kinds = st.sampled_from([k.value for k in InvoiceKind] + ["bogus", ""])
texts = st.one_of(st.none(), st.text(), st.text(alphabet="0123456789", min_size=18, max_size=22))


@given(kinds, texts, texts)
def test_number_format_check_never_raises(kind, code, number):
    errors = check_number_format(kind, code, number)
    assert isinstance(errors, dict) and set(errors) <= {"code", "number"}


@given(st.sampled_from(sorted(DIGITAL_KINDS)), st.one_of(st.none(), st.text(), st.from_regex(r"[0-9]{18,22}\s?")))
@example(InvoiceKind.DIGITAL_GENERAL, "2611700000001234567\n")
@example(InvoiceKind.DIGITAL_GENERAL, "２６１１７０００００００１２３４５６７８")
def test_only_twenty_ascii_digits_pass_as_a_digital_number(kind, number):
    passes = "number" not in check_number_format(kind, "", number)
    expected = isinstance(number, str) and len(number) == 20 and all(c in "0123456789" for c in number)
    assert passes == expected


@given(st.text(alphabet="0123456789", min_size=20, max_size=20))
def test_every_twenty_digit_string_passes_and_survives_float_damage_check(number):
    assert check_number_format(InvoiceKind.DIGITAL_GENERAL, "", number) == {}
    assert not looks_like_float_damage(number)


@given(st.one_of(st.none(), st.text()), st.integers(0, 25))
def test_is_digits_never_raises(value, length):
    assert is_digits(value, length) in (True, False)


# --- money ---------------------------------------------------------------------------------------------------

def _returns_decimal_or_value_error(func, *args):
    try:
        result = func(*args)
    except ValueError:
        return None
    assert isinstance(result, Decimal) and not isinstance(result, float) and result.is_finite()
    return result


@given(anything)
@example(float("nan"))
@example(Decimal("NaN"))
@example("1e999999")
@example("-Infinity")
@example("sNaN")
@example("1e30")
def test_money_parsers_return_finite_decimals_or_raise_value_error(value):
    _returns_decimal_or_value_error(to_decimal, value)
    result = _returns_decimal_or_value_error(money, value)
    if result is not None:
        assert result.as_tuple().exponent == -2


@given(st.sampled_from(["NaN", "1,2,3", "1234,567", ".", "+", "E5", "1e20", "1" + "0" * 20, "nan", "-NaN", "sNaN", "Infinity", "-Infinity", "inf", "Inf", "infinity", "1e",
                        "", " ", "abc", "1.2.3", "--1", "1_000", "٣", "1 2", "0x10", "1e5e5", "True"]))
def test_nan_infinity_and_garbage_are_value_errors(text):
    with pytest.raises(ValueError):
        to_decimal(text)
    with pytest.raises(ValueError):
        money(text)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_go_through_their_shortest_repr_and_absurd_sizes_are_refused(value):
    if abs(value) < 1e20:
        assert to_decimal(value) == Decimal(repr(value))
    else:
        with pytest.raises(ValueError):
            to_decimal(value)


@given(st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**13, max_value=10**13))
def test_money_text_round_trips(value):
    assert to_decimal(str(value)) == value
    assert money(f"{value:,}") == value  # thousands separators from spreadsheets


amounts = st.decimals(min_value=Decimal("-9999999999.99"), max_value=Decimal("9999999999.99"), places=2)
rates = st.sampled_from([Decimal(r) for r in ("0.13", "0.09", "0.06", "0.03", "0.01", "0.00")])


@given(amounts, rates)
def test_line_tax_is_half_up_to_the_cent(amount, rate):
    tax = line_tax(amount, rate)
    exact = amount * rate
    assert tax.as_tuple().exponent == -2
    assert abs(tax - exact) <= Decimal("0.005")
    # Exactly half a cent always moves away from zero (banker's rounding would go to even).
    if abs(exact - exact.quantize(Decimal("0.01"), rounding="ROUND_DOWN")) == Decimal("0.005"):
        assert abs(tax) > abs(exact)
    assert tax == exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@given(anything, anything)
@example("1", "-1")
@example("1e19", "1e19")
def test_line_tax_and_split_raise_only_value_error(amount, rate):
    _returns_decimal_or_value_error(line_tax, amount, rate)
    try:
        split_inclusive(amount, rate)
    except ValueError:
        pass


@given(amounts.filter(lambda a: a >= 0), rates)
def test_split_inclusive_adds_back_to_the_gross(gross, rate):
    amount, tax = split_inclusive(gross, rate)
    assert amount + tax == gross
    assert abs(line_tax(amount, rate) - tax) <= Decimal("0.01")
