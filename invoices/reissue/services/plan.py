"""What a reissue request would issue: the red lines (what remains of each original line, or the chosen
part of it) and the replacement invoice's data. Pure reads, shared by the request check, the approval
page and the completion steps."""
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from invoices.ledger.models import DIGITAL_KINDS, InvoiceKind
from invoices.ledger.money import CENT, line_tax, to_decimal
from invoices.platform.export_vocab import red_link_text
from invoices.reissue.models import ReissueStatus

# Corrections are issued on the digital platform; a legacy original gets its 数电 counterpart.
DIGITAL_COUNTERPART = {
    InvoiceKind.VAT_SPECIAL: InvoiceKind.DIGITAL_SPECIAL,
    InvoiceKind.VAT_ELECTRONIC_SPECIAL: InvoiceKind.DIGITAL_SPECIAL,
    InvoiceKind.VAT_GENERAL: InvoiceKind.DIGITAL_GENERAL,
    InvoiceKind.VAT_ELECTRONIC_GENERAL: InvoiceKind.DIGITAL_GENERAL,
    InvoiceKind.VAT_GENERAL_ROLL: InvoiceKind.DIGITAL_GENERAL,
    InvoiceKind.DIGITAL_PAPER_SPECIAL: InvoiceKind.DIGITAL_SPECIAL,
    InvoiceKind.DIGITAL_PAPER_GENERAL: InvoiceKind.DIGITAL_GENERAL,
    InvoiceKind.MOTOR_VEHICLE: InvoiceKind.DIGITAL_MOTOR_VEHICLE,
    InvoiceKind.DIGITAL_MOTOR_VEHICLE: InvoiceKind.DIGITAL_MOTOR_VEHICLE,
}


def correction_kind(kind):
    return kind if kind in DIGITAL_KINDS else DIGITAL_COUNTERPART[kind]


@dataclass
class Remaining:
    line_no: int
    name: str
    amount: Decimal
    tax_amount: Decimal
    quantity: Decimal | None
    line: object


def remaining_lines(original):
    """Per original line, what has not been red-flushed yet by completed reissue requests."""
    flushed = {}
    for request in original.reissue_requests.filter(status=ReissueStatus.COMPLETED):
        for item in request.red_lines:
            acc = flushed.setdefault(int(item["line_no"]), [Decimal(0), Decimal(0), Decimal(0)])
            acc[0] += to_decimal(item["amount"])
            acc[1] += to_decimal(item["tax_amount"])
            acc[2] += to_decimal(item.get("quantity") or 0)
    result = []
    for line in original.lines.order_by("line_no"):
        amount, tax, qty = flushed.get(line.line_no, [Decimal(0)] * 3)
        result.append(Remaining(
            line_no=line.line_no, name=line.name, amount=line.amount - amount, tax_amount=line.tax_amount - tax,
            quantity=(line.quantity - qty) if line.quantity is not None else None, line=line,
        ))
    return result


def plan_red_lines(original, scope, chosen):
    """Return the red lines as positive amounts per original line: [{line_no, amount, tax_amount, quantity}].

    Full: everything that remains. Partial: the chosen amounts, each within what remains of its line."""
    remaining = {r.line_no: r for r in remaining_lines(original)}
    if scope == "full":
        return [
            {"line_no": r.line_no, "amount": str(r.amount), "tax_amount": str(r.tax_amount),
             "quantity": str(r.quantity) if r.quantity is not None else None}
            for r in remaining.values() if r.amount or r.tax_amount
        ]
    errors, planned = {}, []
    if not chosen:
        raise ValidationError({"red_lines": [_("A partial red-flush names at least one line and amount.")]})
    for n, item in enumerate(chosen, start=1):
        key = f"red_lines.{n}"
        try:
            line_no = int(item.get("line_no"))
            amount = to_decimal(item.get("amount"))
            quantity = to_decimal(item["quantity"]) if item.get("quantity") not in (None, "") else None
        except (TypeError, ValueError):
            errors[key] = _("Each line needs a line number and an amount.")
            continue
        r = remaining.get(line_no)
        if r is None:
            errors[key] = _("The original has no line %(n)s.") % {"n": line_no}
            continue
        if r.amount < 0:
            # A discount line (折扣行): what is flushed of it is negative here and positive in the red invoice.
            if amount >= 0 or amount < r.amount or amount.as_tuple().exponent < -2:
                errors[key] = _("Line %(n)s is a discount line: the amount to red-flush is negative, between "
                                "%(left)s and 0, with at most two decimals.") % {"n": line_no, "left": r.amount}
                continue
        elif amount <= 0 or amount.as_tuple().exponent < -2:
            errors[key] = _("The amount to red-flush is positive with at most two decimals.")
            continue
        elif amount > r.amount:
            errors[key] = _("Line %(n)s has only %(left)s left to red-flush; asked for %(amount)s.") % {
                "n": line_no, "left": r.amount, "amount": amount}
            continue
        if quantity is not None and (r.quantity is None or abs(quantity) > abs(r.quantity) or quantity == 0):
            errors[key] = _("Line %(n)s has a quantity of %(left)s left; asked for %(q)s.") % {
                "n": line_no, "left": r.quantity, "q": quantity}
            continue
        if quantity is not None and r.line.unit_price is not None and _disagree(quantity, r.line.unit_price, amount):
            errors[key] = _("Line %(n)s: quantity %(q)s × unit price %(p)s is %(x)s, not the amount %(amount)s to "
                            "red-flush; give a quantity that prices to the amount, or the amount alone.") % {
                "n": line_no, "q": quantity, "p": f"{r.line.unit_price.normalize():f}",
                "x": (quantity * r.line.unit_price).quantize(CENT), "amount": amount}
            continue
        # Flushing all that is left takes all the tax left, so rounding never leaves a cent behind.
        tax = r.tax_amount if amount == r.amount else line_tax(amount, r.line.tax_rate)
        tax = max(tax, r.tax_amount) if r.amount < 0 else min(tax, r.tax_amount)
        planned.append({"line_no": line_no, "amount": str(amount), "tax_amount": str(tax),
                        "quantity": str(quantity) if quantity is not None else None})
    if errors:
        raise ValidationError(errors)
    return planned


def red_invoice_lines(original, planned):
    """The red invoice's lines (negative) from the planned positive amounts."""
    lines = {line.line_no: line for line in original.lines.all()}
    result = []
    for item in planned:
        line = lines[int(item["line_no"])]
        quantity = -to_decimal(item["quantity"]) if item.get("quantity") else None
        unit_price = line.unit_price
        if quantity is not None and unit_price is not None and _disagree(quantity, unit_price, item["amount"]):
            # What is left of a line partly flushed by amount alone (an allowance) has no quantity that prices to
            # it: the red line carries the amount alone, as the issue rules want 数量 × 单价 = 金额.
            quantity = unit_price = None
        result.append({
            "name": line.name, "tax_code": line.tax_code, "spec": line.spec, "unit": line.unit,
            "quantity": quantity, "unit_price": unit_price,
            "amount": -to_decimal(item["amount"]), "tax_rate": line.tax_rate, "zero_rate_flag": line.zero_rate_flag,
            "tax_amount": -to_decimal(item["tax_amount"]),
        })
    return result


def _disagree(quantity, unit_price, amount):
    """数量 × 单价 and 金额 differ by more than a cent (magnitudes: a red line's quantity is negative)."""
    return abs(abs(to_decimal(quantity) * unit_price) - abs(to_decimal(amount))) > CENT


def original_lines_as_input(original):
    return [
        {"name": line.name, "tax_code": line.tax_code, "spec": line.spec, "unit": line.unit,
         "quantity": line.quantity, "unit_price": line.unit_price, "amount": line.amount,
         "tax_rate": line.tax_rate, "zero_rate_flag": line.zero_rate_flag}
        for line in original.lines.order_by("line_no")
    ]


def jsonable_lines(lines):
    return [{k: (str(v) if isinstance(v, Decimal) else v) for k, v in dict(line).items()} for line in lines]


def red_remarks(original, form_number):
    """The red invoice's 备注: the link to its original (a legacy one by 发票代码 and 号码) and the form's number."""
    return red_link_text(code=original.code, number=original.number, form_number=form_number)
