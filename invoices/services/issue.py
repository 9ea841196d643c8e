"""Issuing (and voiding) invoices: validate everything first, then write the invoice, lines and event
in one transaction so nothing is ever half-written."""
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from ..identifiers import check_tax_id
from ..models import (
    DIGITAL_KINDS,
    ELECTRONIC_KINDS,
    Direction,
    Invoice,
    InvoiceEventKind,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    SyncStatus,
)
from ..money import (
    INVOICE_TAX_TOLERANCE,
    LINE_TAX_TOLERANCE,
    TAX_RATES,
    line_tax,
    to_decimal,
)
from .events import invoice_event_record
from .numbers import allocate_digital_number, check_number_format, normalize_number
from .sync_support import queue_new_invoice

# Sent after the issuing transaction commits; the sync machinery and the incidents app listen.
invoice_issued = Signal()  # kwargs: invoice_id, actor_id

SPECIAL_KINDS = (InvoiceKind.DIGITAL_SPECIAL, InvoiceKind.VAT_SPECIAL, InvoiceKind.VAT_ELECTRONIC_SPECIAL)


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
    tax_exempt: bool = False
    errors: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_dict(cls, data):
        known = {k: data.get(k) for k in cls.__dataclass_fields__ if k != "errors" and k in data}
        return cls(**{"name": "", "amount": None, "tax_rate": None, **known})


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
    return result


def _clean_lines(raw_lines, direction):
    """Return (lines, errors) where errors is keyed 'lines.<n>.<field>' with n counted from 1."""
    errors = {}
    lines = []
    if not raw_lines:
        errors["lines"] = _("An invoice needs at least one line.")
        return lines, errors
    for n, raw in enumerate(raw_lines, start=1):
        line = raw if isinstance(raw, InvoiceLineInput) else InvoiceLineInput.from_dict(raw)
        e = {}
        line.name = (line.name or "").strip()
        if not line.name:
            e["name"] = _("Goods or service name is required.")
        line.amount = _decimal_or_error(line.amount, e, "amount", places=2)
        line.tax_rate = _decimal_or_error(line.tax_rate, e, "tax_rate", places=4)
        line.quantity = _decimal_or_error(line.quantity, e, "quantity", places=13, required=False)
        line.unit_price = _decimal_or_error(line.unit_price, e, "unit_price", places=13, required=False)
        line.tax_amount = _decimal_or_error(line.tax_amount, e, "tax_amount", places=2, required=False)
        line.tax_exempt = bool(line.tax_exempt)
        if line.tax_rate is not None and line.tax_rate not in TAX_RATES:
            e["tax_rate"] = _("Tax rate %(v)s is not in use; allowed: 0.13, 0.09, 0.06, 0.03, 0.01, 0.") % {
                "v": line.tax_rate
            }
        if line.tax_exempt and line.tax_rate not in (None, Decimal(0)):
            e["tax_rate"] = _("A tax-exempt (免税) line has rate 0.")
        if line.amount is not None:
            if direction == Direction.RED and line.amount > 0:
                e["amount"] = _("A red invoice carries negative amounts.")
        if line.amount is not None and line.tax_rate is not None and "tax_rate" not in e:
            expected = line_tax(line.amount, line.tax_rate)
            if line.tax_amount is None:
                line.tax_amount = expected
            elif abs(line.tax_amount - expected) > LINE_TAX_TOLERANCE:
                e["tax_amount"] = _(
                    "Tax %(got)s differs from amount × rate = %(want)s by more than 0.06."
                ) % {"got": line.tax_amount, "want": expected}
        if line.tax_code and not (line.tax_code.isdigit() and len(line.tax_code) == 19):
            e["tax_code"] = _("Tax classification code has 19 digits.")
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


def _check_red_against_original(original, amount, tax, total, errors):
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
    flushed = original.corrections.filter(direction=Direction.RED).aggregate(
        amount=Sum("amount"), tax=Sum("tax_amount"), total=Sum("total")
    )
    for key, value, base in (
        ("amount", amount, original.amount),
        ("tax_amount", tax, original.tax_amount),
        ("total", total, original.total),
    ):
        already = -(flushed[key if key != "tax_amount" else "tax"] or Decimal(0))
        if already - value > base:
            errors[key] = _(
                "Red invoices against %(n)s would exceed it: %(already)s already flushed, %(more)s more, "
                "original %(base)s."
            ) % {"n": original, "already": already, "more": -value, "base": base}


@transaction.atomic
def invoice_issue(
    *,
    actor,
    seller,
    buyer,
    kind,
    lines,
    issued_at=None,
    number="",
    code="",
    direction=Direction.BLUE,
    original=None,
    remarks="",
    drawer="",
    buyer_name=None,
    buyer_tax_id=None,
    sync_status=None,
):
    """Validate and record an issued invoice. Raises ValidationError naming every bad field at once.

    A new invoice is `pending` and queued for upload to the platform after commit. Passing `sync_status`
    records that state as given and queues nothing: for the demo seed and imports of historical data."""
    errors = {}
    issued_at = issued_at or timezone.now()
    if timezone.is_naive(issued_at):
        errors["issued_at"] = _("Issue time must carry a time zone.")
    if kind not in InvoiceKind.values:
        errors["kind"] = _("Unknown invoice kind %(v)s.") % {"v": kind}
    if direction not in Direction.values:
        errors["direction"] = _("Direction is blue or red.")
    queue_upload = sync_status is None
    if queue_upload:
        sync_status = SyncStatus.PENDING
    elif sync_status not in SyncStatus.values:
        errors["sync_status"] = _("Unknown sync status %(v)s.") % {"v": sync_status}
    number = normalize_number(number)
    code = normalize_number(code)
    if kind in InvoiceKind.values and (number or kind not in DIGITAL_KINDS):
        errors.update(check_number_format(kind, code, number))

    buyer_name = (buyer_name if buyer_name is not None else buyer.name).strip()
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
        original = Invoice.objects.select_for_update().get(pk=original.pk)
        if direction == Direction.BLUE:
            errors["original"] = _("Only a red invoice names an original.")
        elif original.seller_id != seller.pk:
            errors["original"] = _("A red invoice is issued by the seller of its original.")

    line_inputs, line_errors = _clean_lines(lines, direction)
    errors.update(line_errors)
    amount = tax = total = None
    if not line_errors:
        amount = sum((line.amount for line in line_inputs), Decimal(0))
        tax = sum((line.tax_amount for line in line_inputs), Decimal(0))
        total = amount + tax
        if direction == Direction.BLUE and total < 0:
            errors["total"] = _("A blue invoice's total cannot be negative.")
        if direction == Direction.RED:
            if total >= 0:
                errors["total"] = _("A red invoice's total is negative.")
            _check_red_against_original(original, amount, tax, total, errors)

    if not errors and number and Invoice.objects.filter(code=code, number=number).exists():
        errors["number"] = _("Invoice %(code)s %(number)s already exists.") % {"code": code, "number": number}
    if errors:
        raise ValidationError({k: [v] if isinstance(v, str) else v for k, v in errors.items()})

    if not number:
        number = allocate_digital_number(seller=seller, issued_at=issued_at)
    invoice = Invoice.objects.create(
        kind=kind,
        direction=direction,
        code=code,
        number=number,
        issued_at=issued_at,
        seller=seller,
        buyer=buyer,
        buyer_name=buyer_name,
        buyer_tax_id=buyer_tax_id,
        amount=amount,
        tax_amount=tax,
        total=total,
        sync_status=sync_status,
        remarks=remarks or "",
        drawer=drawer or "",
        original=original,
        created_by=actor,
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            line_no=n,
            name=line.name,
            tax_code=line.tax_code or "",
            spec=line.spec or "",
            unit=line.unit or "",
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount=line.amount,
            tax_rate=line.tax_rate,
            tax_exempt=line.tax_exempt,
            tax_amount=line.tax_amount,
        )
        for n, line in enumerate(line_inputs, start=1)
    )
    invoice_event_record(
        invoice=invoice,
        kind=InvoiceEventKind.ISSUED,
        actor=actor,
        message=_("Issued %(kind)s %(number)s, total %(total)s") % {
            "kind": invoice.get_kind_display(), "number": invoice, "total": total,
        },
        data={"total": str(total), "lines": len(line_inputs), "warnings": warnings},
    )
    if direction == Direction.RED:
        _follow_original_status(original, actor=actor, red=invoice)
    if queue_upload:
        queue_new_invoice(invoice)
    actor_id = getattr(actor, "pk", None)
    transaction.on_commit(lambda: invoice_issued.send(sender=Invoice, invoice_id=invoice.pk, actor_id=actor_id))
    invoice.warnings = warnings
    return invoice


def _follow_original_status(original, *, actor, red):
    flushed_total = -(original.corrections.filter(direction=Direction.RED).aggregate(t=Sum("total"))["t"] or 0)
    new_status = InvoiceStatus.RED_FLUSHED if flushed_total >= original.total else InvoiceStatus.PARTIALLY_RED_FLUSHED
    if new_status != original.status:
        old = original.status
        original.status = new_status
        original.save(update_fields=["status"])
        invoice_event_record(
            invoice=original,
            kind=InvoiceEventKind.RED_FLUSHED,
            actor=actor,
            message=_("Red invoice %(red)s issued; status %(old)s → %(new)s") % {
                "red": red, "old": InvoiceStatus(old).label, "new": InvoiceStatus(new_status).label,
            },
            data={"red_invoice_id": red.pk, "red_number": red.number, "from": old, "to": new_status},
        )


@transaction.atomic
def invoice_void(*, invoice, actor, reason):
    """Void a legacy paper invoice within its issuing month. 数电 and electronic invoices are never voided:
    they are corrected with a red invoice."""
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.kind in ELECTRONIC_KINDS:
        raise ValidationError({"status": [_("An electronic invoice cannot be voided; issue a red invoice instead.")]})
    if invoice.status != InvoiceStatus.ISSUED:
        raise ValidationError({"status": [_("Only an issued invoice can be voided.")]})
    now, issued = timezone.localtime(), timezone.localtime(invoice.issued_at)
    if (now.year, now.month) != (issued.year, issued.month):
        raise ValidationError({"status": [_("A paper invoice can only be voided in the month it was issued.")]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("A reason is required to void an invoice.")]})
    invoice.status = InvoiceStatus.VOID
    invoice.save(update_fields=["status"])
    invoice_event_record(
        invoice=invoice, kind=InvoiceEventKind.STATUS_CHANGED, actor=actor,
        message=_("Voided: %(r)s") % {"r": reason}, data={"from": InvoiceStatus.ISSUED, "to": InvoiceStatus.VOID},
    )
    return invoice
