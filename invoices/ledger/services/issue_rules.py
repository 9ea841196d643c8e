"""The rules of issuing an invoice, in one place for the single path (invoice_issue) and the batch path
(invoice_issue_batch). Nothing here queries the database: what a rule needs from it (the original locked, what
red invoices already took from it, whether a number is taken) the caller looks up, one row or a whole batch at
a time, so both paths apply exactly the same checks with the same messages."""
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from core.text import clean_name, length_error, name_error
from invoices.ledger.identifiers import check_tax_id, normalize_text
from invoices.ledger.models import (
    DIGITAL_KINDS,
    Direction,
    InvoiceKind,
    InvoiceStatus,
    SyncStatus,
    ZeroRateFlag,
)
from invoices.ledger.money import (
    CENT,
    HISTORIC_RATES,
    INVOICE_TAX_TOLERANCE,
    LINE_TAX_TOLERANCE,
    TAX_RATES,
    historic_rate_in_force,
    line_tax,
    rate_label,
    rates_text,
    to_decimal,
)
from invoices.ledger.services.numbers import check_number_format, normalize_number
from invoices.ledger.tax_codes import CODE_RE, TOP_LEVEL, is_known_code

SPECIAL_KINDS = (InvoiceKind.DIGITAL_SPECIAL, InvoiceKind.VAT_SPECIAL, InvoiceKind.VAT_ELECTRONIC_SPECIAL)
# Choices' `.values` builds a new list (and every label) on each access; these are checked for every invoice.
KINDS, DIRECTIONS, SYNC_STATUSES = (frozenset(c.values) for c in (InvoiceKind, Direction, SyncStatus))

# invoice_issue's keyword arguments besides `actor`, with their defaults; a batch item is a dict of these.
ISSUE_DEFAULTS = {
    "issued_at": None, "number": "", "code": "", "direction": Direction.BLUE, "original": None, "remarks": "",
    "drawer": "", "buyer_name": None, "buyer_tax_id": None, "sync_status": None,
}
ISSUE_REQUIRED = ("seller", "buyer", "kind", "lines")


@dataclass
class InvoiceLineInput:
    name: str
    amount: Decimal
    tax_rate: Decimal
    tax_amount: Decimal | None = None
    tax_code: str = ""
    spec: str = ""
    unit: str = ""
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    zero_rate_flag: str = ""
    # A summary line recorded from the platform's basic export sheet (补录), which has no lines: its 税收分类编码 and
    # zero-rate flag are not known, and the invoice is already issued. Set by reconciliation only, never by a form,
    # the API or a file.
    recorded_summary: bool = False
    errors: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_dict(cls, data):
        # recorded_summary is never read from a dict: only code that builds an InvoiceLineInput itself sets it.
        known = {k: data.get(k) for k in cls.__dataclass_fields__
                 if k not in ("errors", "recorded_summary") and k in data}
        return cls(**{"name": "", "amount": None, "tax_rate": None, **known})


@dataclass
class IssueDraft:
    """An invoice that passed every rule, cleaned, ready to be written (number still empty if it is to be
    allocated)."""
    seller: object
    buyer: object
    kind: str
    direction: str
    code: str
    number: str
    issued_at: datetime
    buyer_name: str
    buyer_tax_id: str
    remarks: str
    drawer: str
    original: object
    sync_status: str
    queue_upload: bool
    lines: list
    amount: Decimal
    tax: Decimal
    total: Decimal
    warnings: list


# The columns' bounds (models.MONEY: 16 digits, 2 places; quantity and unit price: 28 digits, 13 places), checked
# here so an amount that would overflow its column is a message, not a database error.
MONEY_LIMIT = Decimal(10) ** 14
QUANTITY_LIMIT = Decimal(10) ** 15
LIMITS = {"amount": MONEY_LIMIT, "tax_amount": MONEY_LIMIT, "total": MONEY_LIMIT, "quantity": QUANTITY_LIMIT,
          "unit_price": QUANTITY_LIMIT}
# Digital invoices exist since the 2000s' tax-control systems; anything earlier is a typo ("0001-01-01").
EARLIEST_ISSUE_DATE = datetime(2000, 1, 1).date()
LINE_TEXT_LENGTHS = {"name": 200, "spec": 100, "unit": 20}


def _bound_error(value, key):
    limit = LIMITS[key]
    if value is not None and abs(value) >= limit:
        return _("%(v)s is beyond the largest value stored (less than %(limit)s in absolute value).") % {
            "v": value, "limit": f"{limit:,.0f}"}
    return ""


def issue_date_error(issued_at):
    """Issue times are between 2000-01-01 and the end of tomorrow, business time (a clock a day off passes)."""
    local = timezone.localtime(issued_at)
    latest = timezone.localdate() + timedelta(days=1)
    if local.date() < EARLIEST_ISSUE_DATE or local.date() > latest:
        return _("Issue date %(d)s is outside %(first)s to %(last)s.") % {
            "d": local.date().isoformat(), "first": EARLIEST_ISSUE_DATE.isoformat(), "last": latest.isoformat()}
    return ""


def _decimal_or_error(value, errors, key, *, places=None, required=True):
    if value is None or value == "":
        if required:
            errors[key] = _("This field is required.")
        return None
    try:
        result = to_decimal(value)
    except ValueError:
        errors[key] = _("'%(v)s' is not a number.") % {"v": value}
        return None
    if places is not None and result.as_tuple().exponent < -places:
        errors[key] = _("At most %(n)d decimal places are allowed (got %(v)s).") % {"n": places, "v": value}
        return None
    if key in LIMITS and _bound_error(result, key):
        errors[key] = _bound_error(result, key)
        return None
    return result


@dataclass(frozen=True)
class OriginalLines:
    """What a red invoice's lines may take from its original's: discount lines (折扣行, by name, as the positive
    amount a red line may carry), the rates (a historic rate is accepted only when the original carries it) and
    the 税收分类编码 (a code the original was recorded with is copied, not judged again)."""
    discounts: dict
    rates: frozenset
    codes: frozenset


NO_ORIGINAL_LINES = OriginalLines({}, frozenset(), frozenset())


def _original_lines(original):
    if original is None or not getattr(original, "pk", None):
        return NO_ORIGINAL_LINES
    rows = list(original.lines.values_list("name", "amount", "tax_rate", "tax_code"))
    return OriginalLines(
        discounts={name: -amount for name, amount, _rate, _code in rows if amount < 0},
        rates=frozenset(rate for _name, _amount, rate, _code in rows),
        codes=frozenset(code for _name, _amount, _rate, code in rows if code),
    )


def _historic_rate_error(rate, direction, original, taken_from, issued_at):
    """A rate no longer in force: fine on a red line whose original carries it, or on the record of a blue invoice
    issued while it was in force (an old invoice entered into the ledger so that it can be red-flushed)."""
    first, last = HISTORIC_RATES[rate]
    period = {"rate": rate_label(rate), "first": first.isoformat() if first else "…", "last": last.isoformat()}
    if direction == Direction.RED:
        if rate in taken_from.rates:
            return ""
        return _("Tax rate %(rate)s is no longer in force (it applied until %(last)s): a red invoice takes it only "
                 "from its original, and the original %(n)s has no line at %(rate)s.") % {
            **period, "n": original if original is not None else "∅"}
    day = timezone.localtime(issued_at).date() if issued_at and not timezone.is_naive(issued_at) else None
    if historic_rate_in_force(rate, day):
        return ""
    return _("Tax rate %(rate)s is no longer in force (it applied from %(first)s to %(last)s): a new invoice uses "
             "a rate in force (%(allowed)s); %(rate)s is accepted only on a red invoice whose original carries it, "
             "or on the record of an invoice issued in that period.") % {**period, "allowed": rates_text()}


def _rate_error(rate, direction, original, taken_from, issued_at):
    if rate in TAX_RATES:
        return ""
    if rate in HISTORIC_RATES:
        return _historic_rate_error(rate, direction, original, taken_from, issued_at)
    return _("Tax rate %(v)s is not in use; allowed: %(allowed)s.") % {"v": rate_label(rate), "allowed": rates_text()}


def _tax_code_error(line, direction, taken_from):
    """税收分类编码: 19 digits under a known branch of the table, required on a new invoice. A red line copies its
    original's code, whatever it is (an original recorded before codes were required may have none)."""
    code = line.tax_code
    if not code:
        if direction == Direction.RED or line.recorded_summary:
            return ""
        return _("Tax classification code (税收分类编码) is required on a new invoice: the 19-digit code of the "
                 "goods or service.")
    if not CODE_RE.fullmatch(code):
        return _("Tax classification code (税收分类编码) has exactly 19 digits (got %(v)s, %(n)d characters).") % {
            "v": code, "n": len(code)}
    if direction == Direction.RED and code in taken_from.codes:
        return ""
    if not is_known_code(code):
        return _("Tax classification code %(v)s is under no known branch of the tax authority's table (its first "
                 "digits name the branch, %(top)s); check the code.") % {
            "v": code, "top": TOP_LEVEL.get(code[0], _("an unknown part"))}
    return ""


def _quantity_error(line):
    """数量 × 单价 agrees with 金额 to the cent where both are given. A red line has a negative quantity and a
    positive unit price (some files write both positive), so the magnitudes are compared: the sign is the
    invoice's direction, checked on the amount."""
    if line.quantity is None or line.unit_price is None or line.amount is None:
        return ""
    product = line.quantity * line.unit_price
    if abs(abs(product) - abs(line.amount)) <= CENT:
        return ""
    try:
        shown = line_tax(product, 1)
    except ValueError:
        shown = product
    return _("Quantity %(q)s × unit price %(p)s = %(product)s, but the amount is %(a)s: they must agree within "
             "0.01.") % {"q": f"{line.quantity.normalize():f}", "p": f"{line.unit_price.normalize():f}",
                         "product": shown, "a": line.amount}


def clean_lines(raw_lines, direction, original=None, issued_at=None):
    """Return (lines, errors) where errors is keyed 'lines.<n>.<field>' with n counted from 1."""
    taken_from = _original_lines(original) if direction == Direction.RED else NO_ORIGINAL_LINES
    discounts = taken_from.discounts
    errors = {}
    lines = []
    if not raw_lines:
        errors["lines"] = _("An invoice needs at least one line.")
        return lines, errors
    for n, raw in enumerate(raw_lines, start=1):
        line = raw if isinstance(raw, InvoiceLineInput) else InvoiceLineInput.from_dict(raw)
        e = {}
        line.name = clean_name(line.name)
        if not line.name:
            e["name"] = _("Goods or service name is required.")
        elif name_error(line.name, _("Goods or service name")):
            e["name"] = name_error(line.name, _("Goods or service name"))
        for key, limit in LINE_TEXT_LENGTHS.items():
            if key not in e and length_error(getattr(line, key) or "", limit):
                e[key] = length_error(getattr(line, key) or "", limit)
        line.amount = _decimal_or_error(line.amount, e, "amount", places=2)
        line.tax_rate = _decimal_or_error(line.tax_rate, e, "tax_rate", places=4)
        line.quantity = _decimal_or_error(line.quantity, e, "quantity", places=13, required=False)
        line.unit_price = _decimal_or_error(line.unit_price, e, "unit_price", places=13, required=False)
        line.tax_amount = _decimal_or_error(line.tax_amount, e, "tax_amount", places=2, required=False)
        line.zero_rate_flag = line.zero_rate_flag or ""
        line.tax_code = normalize_text(line.tax_code)
        if line.tax_rate is not None and _rate_error(line.tax_rate, direction, original, taken_from, issued_at):
            e["tax_rate"] = _rate_error(line.tax_rate, direction, original, taken_from, issued_at)
        if line.zero_rate_flag not in ZeroRateFlag.values:
            e["zero_rate_flag"] = _("Zero-rate flag %(v)s is unknown; use 免税, 不征税 or 出口零税率.") % {
                "v": line.zero_rate_flag}
        elif line.zero_rate_flag and line.tax_rate not in (None, Decimal(0)):
            e["tax_rate"] = _("A line flagged 免税, 不征税 or 出口零税率 has rate 0.")
        elif (not line.zero_rate_flag and line.tax_rate == 0 and direction == Direction.BLUE
              and not line.recorded_summary):
            # A red line copies its original's flag, and an original recorded before flags were kept has none.
            e["zero_rate_flag"] = _("A line at rate 0 on a new invoice says why it carries no tax: set the zero-rate "
                                    "flag (zero_rate_flag, 零税率标识) to 免税, 不征税 or 出口零税率.")
        if line.amount is not None:
            if direction == Direction.RED and line.amount > 0 and not (
                    line.name in discounts and line.amount <= discounts[line.name]):
                e["amount"] = _("A red invoice carries negative amounts; only the flush of one of the original's "
                                "discount lines (折扣行) is positive, at most that discount.")
        if "amount" not in e and "quantity" not in e and "unit_price" not in e and _quantity_error(line):
            e["amount"] = _quantity_error(line)
        if line.amount is not None and line.tax_rate is not None and "tax_rate" not in e:
            expected = line_tax(line.amount, line.tax_rate)
            if line.tax_amount is None:
                line.tax_amount = expected
            elif abs(line.tax_amount - expected) > LINE_TAX_TOLERANCE:
                e["tax_amount"] = _(
                    "Tax %(got)s differs from amount × rate = %(want)s by more than 0.06."
                ) % {"got": line.tax_amount, "want": expected}
        if _tax_code_error(line, direction, taken_from):
            e["tax_code"] = _tax_code_error(line, direction, taken_from)
        for key, message in e.items():
            errors[f"lines.{n}.{key}"] = message
        lines.append(line)
    if not errors:
        exact = sum((line.amount * line.tax_rate for line in lines), Decimal(0))
        tax = sum((line.tax_amount for line in lines), Decimal(0))
        if abs(exact - tax) > INVOICE_TAX_TOLERANCE:
            errors["tax_amount"] = _(
                "The invoice's tax %(got)s differs from Σ amount × rate = %(want)s by more than 1.27."
            ) % {"got": tax, "want": exact.quantize(Decimal("0.01"))}
    return lines, errors


def check_red_against_original(original, amount, tax, total, errors, flushed_of):
    """`flushed_of(original)` gives what red invoices already took from it: {"amount", "tax", "total"} sums
    (negative, or None when there is none), asked only when the original can still be flushed."""
    if original is None:
        errors["original"] = _("A red invoice must name the blue invoice it corrects.")
        return
    if original.direction != Direction.BLUE:
        errors["original"] = _("Only a blue invoice can be red-flushed.")
        return
    if original.status in (InvoiceStatus.RED_FLUSHED, InvoiceStatus.VOID):
        errors["original"] = _("Invoice %(n)s is %(s)s and cannot be red-flushed again.") % {
            "n": original, "s": original.get_status_display(),
        }
        return
    flushed = flushed_of(original)
    for key, value, base in (
        ("amount", amount, original.amount),
        ("tax_amount", tax, original.tax_amount),
        ("total", total, original.total),
    ):
        # In cents whatever the database's SUM gives back (SQLite drops trailing zeros: 400 for 400.00).
        already = -(flushed[key if key != "tax_amount" else "tax"] or Decimal(0)).quantize(CENT)
        if already - value > base:
            errors[key] = _(
                "Red invoices against %(n)s would exceed it: %(already)s already flushed, %(more)s more, "
                "original %(base)s."
            ) % {"n": original, "already": already, "more": -value, "base": base}


def status_after_red(original, flushed_total):
    """The original's status once red invoices took `flushed_total` (positive) from it."""
    return InvoiceStatus.RED_FLUSHED if flushed_total >= original.total else InvoiceStatus.PARTIALLY_RED_FLUSHED


def check_issue(*, seller, buyer, kind, lines, issued_at=None, number="", code="", direction=Direction.BLUE,
                original=None, remarks="", drawer="", buyer_name=None, buyer_tax_id=None, sync_status=None,
                flushed_of):
    """Every rule of invoice_issue except the ones that need the ledger itself (the number already taken,
    the allocation of a new one). `original`, when given, is already locked by the caller.
    Returns (draft, errors): errors maps a field ('lines.<n>.<field>' for a line) to one message."""
    errors = {}
    issued_at = issued_at or timezone.now()
    if timezone.is_naive(issued_at):
        errors["issued_at"] = _("Issue time must carry a time zone.")
    elif issue_date_error(issued_at):
        errors["issued_at"] = issue_date_error(issued_at)
    if kind not in KINDS:
        errors["kind"] = _("Unknown invoice kind %(v)s.") % {"v": kind}
    if direction not in DIRECTIONS:
        errors["direction"] = _("Direction is blue or red.")
    queue_upload = sync_status is None
    if queue_upload:
        sync_status = SyncStatus.PENDING
    elif sync_status not in SYNC_STATUSES:
        errors["sync_status"] = _("Unknown sync status %(v)s.") % {"v": sync_status}
    number = normalize_number(number)
    code = normalize_number(code)
    if kind in KINDS and (number or code or kind not in DIGITAL_KINDS):
        errors.update({k: v for k, v in check_number_format(kind, code, number).items() if number or k != "number"})
    # Counted after normalisation, against the columns (NFKC turns "㍱" into three characters).
    for key, value, limit in (("code", code, 12), ("number", number, 20), ("drawer", drawer or "", 50)):
        if key not in errors and length_error(value, limit):
            errors[key] = length_error(value, limit)

    buyer_name = clean_name(buyer_name if buyer_name is not None else buyer.name)
    if name_error(buyer_name, _("Buyer name")) or length_error(buyer_name, 200):
        errors["buyer_name"] = name_error(buyer_name, _("Buyer name")) or length_error(buyer_name, 200)
    raw_tax_id = buyer_tax_id if buyer_tax_id is not None else buyer.tax_id
    buyer_tax_id = ""
    warnings = []
    if not buyer_name:
        errors["buyer_name"] = _("Buyer name is required.")
    if raw_tax_id:
        check = check_tax_id(raw_tax_id)
        if check.ok:
            buyer_tax_id = check.value
            if check.warning:
                warnings.append(check.warning)
        else:
            errors["buyer_tax_id"] = check.error
    elif kind in SPECIAL_KINDS:
        errors["buyer_tax_id"] = _("A special VAT invoice (专票) needs the buyer's tax id.")

    if original is not None:
        if direction == Direction.BLUE:
            errors["original"] = _("Only a red invoice names an original.")
        elif original.seller_id != seller.pk:
            errors["original"] = _("A red invoice is issued by the seller of its original.")

    line_inputs, line_errors = clean_lines(lines, direction, original, issued_at)
    errors.update(line_errors)
    amount = tax = total = None
    if not line_errors:
        amount = sum((line.amount for line in line_inputs), Decimal(0))
        tax = sum((line.tax_amount for line in line_inputs), Decimal(0))
        total = amount + tax
        for key, value in (("amount", amount), ("tax_amount", tax), ("total", total)):
            if _bound_error(value, key):
                errors[key] = _bound_error(value, key)
        # Decimal("-0.00") == 0, so a zero written as "-0.00" is refused too.
        if direction == Direction.BLUE and total <= 0 and "total" not in errors:
            errors["total"] = _("A blue invoice's total must be greater than zero (got %(v)s).") % {"v": total}
        if direction == Direction.RED:
            if total >= 0:
                errors["total"] = _("A red invoice's total is negative.")
            check_red_against_original(original, amount, tax, total, errors, flushed_of)
    draft = IssueDraft(
        seller=seller, buyer=buyer, kind=kind, direction=direction, code=code, number=number, issued_at=issued_at,
        buyer_name=buyer_name, buyer_tax_id=buyer_tax_id, remarks=remarks or "", drawer=drawer or "",
        original=original, sync_status=sync_status, queue_upload=queue_upload, lines=line_inputs, amount=amount,
        tax=tax, total=total, warnings=warnings,
    )
    return draft, errors


def number_taken_message(code, number):
    return _("Invoice %(code)s %(number)s already exists.") % {"code": code, "number": number}


def message_dict(errors):
    """{field: message} as ValidationError.message_dict has it ({field: [message, ...]})."""
    return {k: [v] if isinstance(v, str) else v for k, v in errors.items()}
