"""VAT arithmetic: two places, half-up per line, tolerances from legacy tax-control systems."""
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, DecimalException

CENT = Decimal("0.01")
LINE_TAX_TOLERANCE = Decimal("0.06")
INVOICE_TAX_TOLERANCE = Decimal("1.27")
# 13, 9, 6, 0 general; 3 and the reduced 1 for small-scale taxpayers.
TAX_RATES = [Decimal(r) for r in ("0.13", "0.09", "0.06", "0.03", "0.01", "0.00")]

# A file's 零税率标识 column: the platform's words, our codes, and the old yes/no 免税 column.
_ZERO_RATE_WORDS = {
    "免税": "exempt", "EXEMPT": "exempt", "1": "exempt", "TRUE": "exempt", "YES": "exempt", "是": "exempt",
    "不征税": "not_taxable", "NOT_TAXABLE": "not_taxable",
    "出口零税率": "export_zero", "EXPORT_ZERO": "export_zero",
    "": "", "0": "", "FALSE": "", "NO": "", "否": "",
}


def parse_zero_rate_flag(value):
    """The flag's code, or the text as typed when it is no known word (the issue rules then name it)."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip().upper()
    return _ZERO_RATE_WORDS.get(text, str(value).strip())


# A plain decimal literal, optionally with thousands separators in groups of three and an exponent. Decimal()
# itself also takes "NaN", "Infinity", "1_000" and digits of any script, none of which is an amount.
_NUMBER_RE = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d*)?(?:E[+-]?\d+)?", re.ASCII)
# Far beyond any amount or quantity the ledger stores (16 and 28 digits), and small enough that quantizing
# to cents stays within Decimal's default 28-digit precision instead of raising InvalidOperation.
MAX_ADJUSTED_EXPONENT = 19
_PLAIN_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


def to_decimal(value):
    """Parse an amount, rate or quantity into a finite Decimal, or raise ValueError. Never goes through float."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, float):
        # Floats never carry money here; going through repr keeps what the user typed.
        value = repr(value)
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, str) and _PLAIN_DECIMAL.fullmatch(value):
        # What files nearly always hold ("300.00", "3", "0.13"): the general path below would leave it as it is.
        result = Decimal(value)
    elif isinstance(value, int):
        result = Decimal(value)
    else:
        # Full-width digits and points (１２３．４５) are what Chinese input methods type.
        text = unicodedata.normalize("NFKC", str(value)).strip().upper()
        if not _NUMBER_RE.fullmatch(text) or not any(ch.isdigit() for ch in text.split("E")[0]):
            raise ValueError(value)
        result = Decimal(text.replace(",", ""))
    if not result.is_finite() or (result and result.adjusted() > MAX_ADJUSTED_EXPONENT):
        raise ValueError(value)
    return result


def _quantized(value):
    try:
        return value.quantize(CENT, rounding=ROUND_HALF_UP)
    except DecimalException:
        raise ValueError(value)


# What exports and forms nearly always hold: already a plain amount in cents, so parsing is all there is to do.
_PLAIN_CENTS = re.compile(r"-?[0-9]{1,14}\.[0-9]{2}")


def money(value):
    if isinstance(value, str) and _PLAIN_CENTS.fullmatch(value):
        return Decimal(value)
    return _quantized(to_decimal(value))


def line_tax(amount, rate):
    try:
        product = to_decimal(amount) * to_decimal(rate)
    except DecimalException:
        raise ValueError((amount, rate))
    return _quantized(product)


def split_inclusive(gross, rate):
    """From a tax-inclusive price: amount = round(gross / (1 + rate), 2), tax = gross - amount."""
    gross = money(gross)
    try:
        amount = _quantized(gross / (Decimal(1) + to_decimal(rate)))
    except DecimalException:  # a rate of -1 divides by zero
        raise ValueError((gross, rate))
    return amount, gross - amount
