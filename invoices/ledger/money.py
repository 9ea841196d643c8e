"""VAT arithmetic: two places, half-up per line, tolerances from legacy tax-control systems."""
import re
import unicodedata
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, DecimalException

CENT = Decimal("0.01")
LINE_TAX_TOLERANCE = Decimal("0.06")
INVOICE_TAX_TOLERANCE = Decimal("1.27")
# The rates in use (domain page, Tax): 13, 9, 6 and 0 general; 5 simplified levy (简易计税: leasing or selling real
# estate, labour dispatch) and 3; 1 the reduced small-scale rate; 1.5 individuals' housing rental; 0.5 used-car
# dealers. Ordered by how often they occur, which is also the order of the issue form's select.
TAX_RATES = [Decimal(r) for r in ("0.13", "0.09", "0.06", "0.05", "0.03", "0.01", "0.015", "0.005", "0.00")]
# Rates no longer in force that still appear on old blue invoices, with the days they were in force (business
# time, inclusive; None: open). A red invoice against such an invoice takes its rate; a new blue one never does.
HISTORIC_RATES = {
    Decimal("0.17"): (None, date(2018, 4, 30)),
    Decimal("0.11"): (None, date(2018, 4, 30)),
    Decimal("0.16"): (date(2018, 5, 1), date(2019, 3, 31)),
    Decimal("0.10"): (date(2018, 5, 1), date(2019, 3, 31)),
}


def historic_rate_in_force(rate, day):
    """Whether `rate` is a historic rate that was in force on `day` (a date)."""
    if rate not in HISTORIC_RATES or day is None:
        return False
    first, last = HISTORIC_RATES[rate]
    return (first is None or first <= day) and day <= last


def rates_on(day):
    """The rates an invoice issued on `day` may carry: those in use, and a historic one while it was in force."""
    return TAX_RATES + [r for r in HISTORIC_RATES if historic_rate_in_force(r, day)]


def rate_label(rate):
    """A rate as printed: 0.13 -> "13%", 0.015 -> "1.5%", 0.005 -> "0.5%", 0 -> "0%"."""
    percent = (Decimal(rate) * 100).normalize()
    return f"{percent.quantize(Decimal(1)) if percent == percent.to_integral_value() else percent:f}%"


def rates_text(rates=None):
    """The allowed rates for a message, from the list itself: "13%, 9%, 6%, …"."""
    return ", ".join(rate_label(r) for r in (TAX_RATES if rates is None else rates))

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
