import pytest

from invoices.ledger.identifiers import (
    check_tax_id,
    is_valid_uscc,
    looks_like_float_damage,
    normalize_text,
    uscc_check_char,
)


@pytest.mark.parametrize("value", ["91110000600037341L", "91110108551385082Q"])
def test_domain_examples_are_valid_usccs(value):
    assert is_valid_uscc(value)


def test_check_char_matches_weights_formula():
    # c18 = (31 - Σ value·3^(i-1) mod 31) mod 31 over the first 17 characters
    assert uscc_check_char("91110000600037341") == "L"


def test_first_character_may_be_a_letter():
    body = "N2110000MA0000000"
    assert is_valid_uscc(body + uscc_check_char(body))


@pytest.mark.parametrize("bad", ["91110000600037341I", "91110000600037341O", "9111000060003734SL"])
def test_forbidden_letters_are_not_uscc(bad):
    assert not is_valid_uscc(bad)


def test_normalisation_full_width_spaces_lowercase():
    assert normalize_text(" ９１１１００００６０００３７３４１ｌ ") == "91110000600037341L"
    assert normalize_text("91110108 5513 85082q") == "91110108551385082Q"


def test_full_width_lowercase_uscc_is_accepted_and_normalised():
    check = check_tax_id("９１１１０１０８５５１３８５０８２ｑ")
    assert check.ok and check.value == "91110108551385082Q" and not check.warning


def test_eighteen_chars_failing_checksum_is_a_mistyped_uscc_naming_the_right_check_character():
    check = check_tax_id("91110108551385082A")
    assert not check.ok and "GB 32100" in check.error and "the 18th is Q" in check.error


@pytest.mark.parametrize("legacy", ["110108551385082", "11010855138508212", "11010855138508212345"])
def test_legacy_lengths_pass_with_a_warning(legacy):
    check = check_tax_id(legacy)
    assert check.ok and str(len(legacy)) in check.warning and not check.error


@pytest.mark.parametrize("bad,fragment", [("1234", "15, 17 or 20"), ("9111-0108", "digits and capital"),
                                          ("", "required")])
def test_bad_tax_ids_are_rejected_with_rule(bad, fragment):
    check = check_tax_id(bad)
    assert not check.ok and fragment in check.error


@pytest.mark.parametrize("value,damaged", [
    ("2.6442E+19", True), ("26442000000000000000.0", True), ("26112000000000001002", False), ("1.5", False),
])
def test_float_damage_detection(value, damaged):
    assert looks_like_float_damage(value) is damaged
