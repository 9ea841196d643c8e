"""Taxpayer ids and invoice numbers: normalisation and format rules from the domain page.

Pure functions, no Django models, so imports, the API and reconciliation share one definition.
"""
import re
import unicodedata
from dataclasses import dataclass

# GB 32100-2015: 31 characters, no I, O, S, V, Z.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_VALUES = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_USCC_RE = re.compile(rf"^[{USCC_ALPHABET}]{{18}}$")
_LEGACY_ID_RE = re.compile(r"^[0-9A-Z]+$")
LEGACY_ID_LENGTHS = (15, 17, 18, 20)

_DIGITS_RE = re.compile(r"^[0-9]+$")
_SCIENTIFIC_RE = re.compile(r"^[0-9.]+E\+?[0-9]+$")


def normalize_text(value):
    """Full-width to ASCII (NFKC), strip every kind of space, upper-case."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"\s+", "", text).upper()


def uscc_check_char(first17):
    total = sum(USCC_VALUES[ch] * w for ch, w in zip(first17, USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(value):
    return bool(_USCC_RE.match(value)) and uscc_check_char(value[:17]) == value[17]


@dataclass(frozen=True)
class TaxIdCheck:
    value: str
    ok: bool
    warning: str = ""  # set for an accepted id that is probably a legacy id
    error: str = ""


def check_tax_id(raw):
    """Apply the domain policy: a valid USCC passes; legacy ids (15/17/18/20 chars) pass with a
    warning when 18 characters long and failing the checksum; anything else is an error."""
    from django.utils.translation import gettext as _

    value = normalize_text(raw)
    if not value:
        return TaxIdCheck(value, False, error=_("Tax id is required."))
    if is_valid_uscc(value):
        return TaxIdCheck(value, True)
    if not _LEGACY_ID_RE.match(value):
        return TaxIdCheck(
            value, False, error=_("Tax id may contain only digits and capital letters (got %(v)s).") % {"v": value}
        )
    if len(value) not in LEGACY_ID_LENGTHS:
        return TaxIdCheck(
            value,
            False,
            error=_("Tax id must be an 18-character USCC or a legacy id of 15, 17, 18 or 20 characters (got %(n)d).")
            % {"n": len(value)},
        )
    if len(value) == 18:
        return TaxIdCheck(
            value,
            True,
            warning=_("%(v)s fails the USCC check character (GB 32100-2015); accepted as a legacy taxpayer id.")
            % {"v": value},
        )
    return TaxIdCheck(value, True)


def looks_like_float_damage(value):
    """A 20-digit number that went through Excel comes back as 2.6442E+19 or with a trailing .0."""
    text = normalize_text(value)
    return bool(_SCIENTIFIC_RE.match(text)) or (text.endswith(".0") and bool(_DIGITS_RE.match(text[:-2])))


def is_digits(value, length):
    return len(value) == length and bool(_DIGITS_RE.match(value))
