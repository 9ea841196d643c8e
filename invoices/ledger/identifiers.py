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
# Used with fullmatch: "$" would also match before a trailing newline.
_USCC_RE = re.compile(rf"[{USCC_ALPHABET}]{{18}}")
_LEGACY_ID_RE = re.compile(r"[0-9A-Z]+")
LEGACY_ID_LENGTHS = (15, 17, 18, 20)

_DIGITS_RE = re.compile(r"[0-9]+")
_SCIENTIFIC_RE = re.compile(r"[0-9.]+E\+?[0-9]+")


def _strip_invisible(text):
    # Spaces of every kind plus control and format characters (zero-width space, BOM, DEL) that copy-paste
    # from web pages and spreadsheets drags along.
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf"))


def normalize_text(value):
    """Full-width to ASCII (NFKC), strip spaces and invisible characters, upper-case.

    Repeated until nothing changes: each step can undo another's work (upper-casing "ΐ" gives a decomposed
    form that NFKC recomposes, NFKC turns "¨" into a space plus a combining mark, removing a space joins a
    combining mark to a letter), and the result must be a fixed point so that normalising twice is harmless.
    """
    if value is None:
        return ""
    text = str(value)
    if text.isascii() and text.isalnum():  # nearly every id: NFKC leaves ASCII letters and digits alone
        return text.upper()
    for _round in range(8):
        result = _strip_invisible(unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).upper()))
        if result == text:
            break
        text = result
    return text


def uscc_check_char(first17):
    total = sum(USCC_VALUES[ch] * w for ch, w in zip(first17, USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(value):
    return isinstance(value, str) and bool(_USCC_RE.fullmatch(value)) and uscc_check_char(value[:17]) == value[17]


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
    if not _LEGACY_ID_RE.fullmatch(value):
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
    return bool(_SCIENTIFIC_RE.fullmatch(text)) or (text.endswith(".0") and bool(_DIGITS_RE.fullmatch(text[:-2])))


def is_digits(value, length):
    """Exactly `length` ASCII digits; None or a non-string is simply not."""
    return isinstance(value, str) and len(value) == length and bool(_DIGITS_RE.fullmatch(value))
