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


# The first character of a USCC is its registration authority (登记管理部门代码, GB 32100-2015 table 1): 1 机构编制,
# 2 外交, 3 司法行政, 4 文化, 5 民政, 6 旅游, 7 宗教, 8 工会, 9 工商 (market regulation), A 中央军委改革和编制办公室,
# N 农业, Y 其他. Any other first character cannot be a USCC even when the check character agrees (000000000000000000
# does). Places 3-17 are not judged further: the check character already catches any single slip in them.
USCC_AUTHORITIES = "123456789ANY"
# GB 11643 (居民身份证): weights and the check characters the sum mod 11 indexes.
ID_CARD_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CARD_CHECK = "10X98765432"
_ID_CARD_RE = re.compile(r"[0-9]{17}[0-9X]")
# What a typist puts for a character the USCC alphabet leaves out (the letter that looks like the digit, and U for
# V): the likely slip when an 18-character id holds one of them.
LIKELY_SLIPS = {"O": "0", "I": "1", "S": "5", "Z": "2", "V": "U"}


def is_valid_uscc(value):
    return isinstance(value, str) and bool(_USCC_RE.fullmatch(value)) and uscc_check_char(value[:17]) == value[17]


def id_card_check_char(first17):
    return ID_CARD_CHECK[sum(int(ch) * w for ch, w in zip(first17, ID_CARD_WEIGHTS)) % 11]


@dataclass(frozen=True)
class TaxIdCheck:
    value: str
    ok: bool
    warning: str = ""  # set for an accepted id the person who typed it should look at again
    error: str = ""


def _mistyped_uscc_error(value):
    """Why an 18-character id that is neither a valid USCC nor shaped like an ID-card number is refused, naming the
    likely slip: a letter the USCC alphabet leaves out (O for 0, I for 1 …), an impossible first character, or the
    check character (and which one would be right if the first 17 are)."""
    from django.utils.translation import gettext as _

    slips = [(n, ch, LIKELY_SLIPS[ch]) for n, ch in enumerate(value, start=1) if ch in LIKELY_SLIPS]
    if slips:
        fixed = "".join(LIKELY_SLIPS.get(ch, ch) for ch in value)
        said = ", ".join(_("%(bad)s at place %(n)d is probably %(good)s") % {"bad": ch, "n": n, "good": good}
                            for n, ch, good in slips)
        message = _("Taxpayer id (纳税人识别号) %(v)s is not a valid USCC: the USCC alphabet (GB 32100-2015) has no I, "
                    "O, S, V or Z; %(slips)s.") % {"v": value, "slips": said}
        if is_valid_uscc(fixed) and fixed[0] in USCC_AUTHORITIES:
            message += " " + _("With that correction it reads %(fixed)s, a valid USCC.") % {"fixed": fixed}
        return message
    if not _USCC_RE.fullmatch(value):
        bad = "".join(sorted({ch for ch in value if ch not in USCC_VALUES}))
        return _("Taxpayer id (纳税人识别号) %(v)s is not a valid USCC: %(bad)s is not in the USCC alphabet "
                 "(GB 32100-2015: digits and capital letters but I, O, S, V, Z).") % {"v": value, "bad": bad}
    if value[0] not in USCC_AUTHORITIES:
        return _("Taxpayer id (纳税人识别号) %(v)s is not a valid USCC: its first character is the registration "
                 "authority code, one of 1-9, A, N or Y (got %(c)s).") % {"v": value, "c": value[0]}
    return _("Taxpayer id (纳税人识别号) %(v)s fails the USCC check character (GB 32100-2015): if the first 17 "
             "characters are right, the 18th is %(want)s, not %(got)s.") % {
        "v": value, "want": uscc_check_char(value[:17]), "got": value[17]}


def check_tax_id(raw):
    """Apply the domain page's policy (Taxpayer identifiers):

    - a valid USCC passes (check character right and a first character that is a registration authority);
    - an id of one repeated character (000000000000000000) is a placeholder, refused;
    - an ID-card-shaped 18-character id (17 digits and 0-9 or X) passes with a warning: it is a legacy id of an
      individual business, and the warning says whether it passes GB 11643 and, if not, which check character would;
    - any other 18-character id is a mistyped USCC: refused naming the likely slip;
    - 15, 17 and 20 characters of digits and capital letters are legacy ids: accepted with a warning.
    """
    from django.utils.translation import gettext as _

    value = normalize_text(raw)
    if not value:
        return TaxIdCheck(value, False, error=_("Taxpayer id (纳税人识别号) is required."))
    if not _LEGACY_ID_RE.fullmatch(value):
        return TaxIdCheck(value, False, error=_(
            "Taxpayer id (纳税人识别号) may contain only digits and capital letters (got %(v)s).") % {"v": value})
    if len(value) not in LEGACY_ID_LENGTHS:
        return TaxIdCheck(value, False, error=_(
            "Taxpayer id (纳税人识别号) is an 18-character USCC, or a legacy id of 15, 17 or 20 characters (got %(n)d).")
            % {"n": len(value)})
    if len(set(value)) == 1:
        return TaxIdCheck(value, False, error=_(
            "Taxpayer id (纳税人识别号) %(v)s is one character repeated, a placeholder, not a taxpayer's id.")
            % {"v": value})
    if len(value) != 18:
        return TaxIdCheck(value, True, warning=_(
            "Taxpayer id (纳税人识别号) %(v)s is a legacy id of %(n)d characters, not an 18-character USCC; accepted, "
            "but check it against the buyer's tax registration.") % {"v": value, "n": len(value)})
    if is_valid_uscc(value) and value[0] in USCC_AUTHORITIES:
        return TaxIdCheck(value, True)
    if _ID_CARD_RE.fullmatch(value):
        want = id_card_check_char(value[:17])
        if want == value[17]:
            return TaxIdCheck(value, True, warning=_(
                "Taxpayer id (纳税人识别号) %(v)s is not a USCC but a 居民身份证 number (an individual business's "
                "legacy id); accepted.") % {"v": value})
        return TaxIdCheck(value, True, warning=_(
            "Taxpayer id (纳税人识别号) %(v)s is shaped like a 居民身份证 number but fails its check character "
            "(GB 11643: %(want)s, not %(got)s, if the first 17 digits are right); accepted as a legacy registration, "
            "check it with the buyer.") % {"v": value, "want": want, "got": value[17]})
    return TaxIdCheck(value, False, error=_mistyped_uscc_error(value))


def looks_like_float_damage(value):
    """A 20-digit number that went through Excel comes back as 2.6442E+19 or with a trailing .0."""
    text = normalize_text(value)
    return bool(_SCIENTIFIC_RE.fullmatch(text)) or (text.endswith(".0") and bool(_DIGITS_RE.fullmatch(text[:-2])))


def is_digits(value, length):
    """Exactly `length` ASCII digits; None or a non-string is simply not."""
    return isinstance(value, str) and len(value) == length and bool(_DIGITS_RE.fullmatch(value))
