"""VAT arithmetic: two places, half-up per line, tolerances from legacy tax-control systems."""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
LINE_TAX_TOLERANCE = Decimal("0.06")
INVOICE_TAX_TOLERANCE = Decimal("1.27")
# 13, 9, 6, 0 general; 3 and the reduced 1 for small-scale taxpayers.
TAX_RATES = [Decimal(r) for r in ("0.13", "0.09", "0.06", "0.03", "0.01", "0.00")]


def to_decimal(value):
    if isinstance(value, float):
        # Floats never carry money here; going through str keeps what the user typed.
        value = repr(value)
    try:
        result = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValueError(value)
    if not result.is_finite():
        raise ValueError(value)
    return result


def money(value):
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def line_tax(amount, rate):
    return (to_decimal(amount) * to_decimal(rate)).quantize(CENT, rounding=ROUND_HALF_UP)


def split_inclusive(gross, rate):
    """From a tax-inclusive price: amount = round(gross / (1 + rate), 2), tax = gross - amount."""
    gross = money(gross)
    amount = (gross / (Decimal(1) + to_decimal(rate))).quantize(CENT, rounding=ROUND_HALF_UP)
    return amount, gross - amount
