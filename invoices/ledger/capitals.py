"""价税合计（大写）: an amount in Chinese capital numerals as finance writes it on an invoice.

One 零 stands for any run of zeros inside the number (壹万零伍圆整), none is written for zeros at the end of the
yuan (壹佰圆整) or before 角 (壹拾圆伍角); 零 marks missing 角 before 分 (壹圆零伍分). A whole amount ends in 整;
one with 角 or 分 does not. Red (negative) invoices carry the platform's （负数） before the words."""
from decimal import ROUND_HALF_UP, Decimal

from core import money_text

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ["", "拾", "佰", "仟"]
GROUPS = ["", "万", "亿", "万亿"]
NEGATIVE = "（负数）"
LIMIT = Decimal(10) ** (4 * len(GROUPS))


def _group(value):
    """0 < value < 10000 in words, a 零 for each run of zeros between digits, none at either end."""
    digits = f"{value:04d}"
    out, pending_zero = [], False
    for i, ch in enumerate(digits):
        place = PLACES[3 - i]
        if ch == "0":
            pending_zero = bool(out)
            continue
        if pending_zero:
            out.append("零")
            pending_zero = False
        out.append(DIGITS[int(ch)] + place)
    return "".join(out)


def _yuan(value):
    groups = []
    while value:
        value, rest = divmod(value, 10000)
        groups.append(rest)
    out = []
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if not group:
            continue
        # Zeros before this group, in it or in groups skipped above, are one 零.
        if out and (group < 1000 or not groups[index + 1]):
            out.append("零")
        out.append(_group(group) + GROUPS[index])
    return "".join(out)


def amount_in_capitals(amount) -> str:
    """Decimal (or a string of one) to capitals, rounded half-up to the fen. Raises ValueError past 万亿."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if not value.is_finite() or abs(value) >= LIMIT:
        raise ValueError(amount)
    sign = NEGATIVE if value < 0 else ""
    fen_total = int(abs(value) * 100)
    yuan, cents = divmod(fen_total, 100)
    jiao, fen = divmod(cents, 10)
    words = _yuan(yuan) + "圆" if yuan else ""
    if not cents:
        return sign + (words or "零圆") + "整"
    if jiao:
        words += DIGITS[jiao] + "角"
    elif yuan:
        words += "零"
    if fen:
        words += DIGITS[fen] + "分"
    return sign + words


def yuan(amount) -> str:
    """An amount as shown to people: ¥1,234.50, -¥113.00 (core.money_text.yuan, the one way)."""
    return money_text.yuan(amount)
