"""The tax-platform interface. Everything the ledger says to the platform goes through `get_gateway()`.

Implementations: `simulator.SimulatedGateway` (default, the platform's side kept in local tables) and
`http.HttpGateway` (JSON over HTTPS to a provider). Choose with settings.TAX_PLATFORM."""
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.utils.module_loading import import_string

from invoices.ledger.models import Direction, InvoiceStatus

# Ledger status -> the platform export's 发票状态 (a red invoice itself is 正常 there).
PLATFORM_STATUS = {
    InvoiceStatus.ISSUED: "正常",
    InvoiceStatus.PARTIALLY_RED_FLUSHED: "已红冲-部分",
    InvoiceStatus.RED_FLUSHED: "已红冲-全额",
    InvoiceStatus.VOID: "已作废",
}

IMPLEMENTATIONS = {
    "simulated": "invoices.platform.simulator.SimulatedGateway",
    "http": "invoices.platform.http.HttpGateway",
}


class PlatformError(Exception):
    pass


class PlatformUnavailable(PlatformError):
    """The platform could not be reached or answered 5xx/timed out: try again later."""


class PlatformRejected(PlatformError):
    """The platform refused the data itself; retrying the same data cannot help (except CREDIT_EXCEEDED)."""

    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code = str(code)
        self.message = str(message)


# The seller's monthly credit limit (授信额度) is used up: nothing is wrong with the invoice, and the same upload
# succeeds once the tax bureau raises the limit (or the month turns).
CREDIT_EXCEEDED = "CREDIT_EXCEEDED"


@dataclass
class PlatformReceipt:
    """The platform took the invoice. `duplicate` means it already had it (idempotent replay)."""

    number: str
    platform_id: str = ""
    code: str = ""
    duplicate: bool = False
    raw: dict = field(default_factory=dict)


@dataclass
class PlatformRecord:
    """What the platform holds for one invoice (the answer to `query`)."""

    number: str
    status: str
    total: Decimal
    code: str = ""
    raw: dict = field(default_factory=dict)


LISTING_MAX_LIMIT = 1000  # the most rows one page of `GET /invoices` may hold


@dataclass
class PlatformListedInvoice:
    """One row of the platform's batch listing (`list_invoices`). `status` is the platform's 发票状态 word;
    amount and tax_amount are None when the platform leaves them out (the protocol promises only the total)."""

    number: str
    code: str
    status: str
    total: Decimal
    buyer_tax_id: str
    issued_at: datetime | None
    direction: str
    amount: Decimal | None = None
    tax_amount: Decimal | None = None

    @classmethod
    def from_json(cls, payload):
        """Read one listed row; a row without a number or a readable total is a garbled answer (unavailable)."""
        number = str(payload.get("number") or "")
        if not number:
            raise PlatformUnavailable(f"the platform listed a row without a number: {payload!r}")
        try:
            total = Decimal(str(payload.get("total")))
            amounts = {k: (Decimal(str(payload[k])) if payload.get(k) not in (None, "") else None)
                       for k in ("amount", "tax_amount")}
        except ArithmeticError:
            raise PlatformUnavailable(f"invoice {number}: the platform listed unreadable amounts") from None
        return cls(number=number, code=str(payload.get("code") or ""), status=str(payload.get("status") or ""),
                   total=total, buyer_tax_id=str(payload.get("buyer_tax_id") or ""),
                   issued_at=_when(payload.get("issued_at")), direction=str(payload.get("direction") or ""),
                   **amounts)


@dataclass
class PlatformListing:
    """One page of the listing; `next_cursor` is None on the last page."""

    results: list
    next_cursor: str | None = None


FILE_FORMATS = {"pdf": "application/pdf", "ofd": "application/ofd", "xml": "application/xml"}


@dataclass
class PlatformFile:
    """One file of an invoice as the platform serves it (the answer to `download`)."""

    number: str
    format: str
    content: bytes
    content_type: str

    @property
    def filename(self):
        return f"{self.number}.{self.format}"


def check_file_format(fmt):
    if fmt not in FILE_FORMATS:
        raise ValueError(f"format must be one of {sorted(FILE_FORMATS)}, not {fmt!r}")
    return fmt


@dataclass
class InvoiceDraft:
    """An invoice to be issued by the platform, which assigns the 20-digit 数电 number.

    `idempotency_key` makes a retried `issue` return the first number instead of issuing twice."""

    idempotency_key: str
    kind: str
    seller_tax_id: str
    seller_name: str
    region_code: str
    buyer_name: str
    buyer_tax_id: str
    issued_at: datetime
    amount: Decimal
    tax_amount: Decimal
    total: Decimal
    lines: list = field(default_factory=list)
    direction: str = Direction.BLUE
    original_number: str = ""
    original_code: str = ""  # a legacy original's 发票代码 (its number is only unique with it)
    remarks: str = ""
    drawer: str = ""  # 开票人, printed on the files the platform renders
    red_letter_form_number: str = ""

    def to_payload(self):
        return {
            "red_letter_form_number": self.red_letter_form_number,
            "kind": self.kind, "direction": self.direction, "issued_at": self.issued_at.isoformat(),
            "seller_tax_id": self.seller_tax_id, "seller_name": self.seller_name, "region_code": self.region_code,
            "buyer_tax_id": self.buyer_tax_id, "buyer_name": self.buyer_name, "amount": str(self.amount),
            "tax_amount": str(self.tax_amount), "total": str(self.total), "original_number": self.original_number,
            "original_code": self.original_code, "remarks": self.remarks, "drawer": self.drawer,
            "lines": [_json_line(line) for line in self.lines],
        }


FORM_STATUSES = ("01", "02", "03", "04", "05", "06", "07", "08", "09", "10")
ISSUABLE_FORM_STATUSES = ("01", "04")  # a red invoice may be issued only from these
WAITING_FORM_STATUSES = ("02", "03")  # one side waits for the other, at most 72 hours


@dataclass
class RedLetterFormDraft:
    """A red-letter information confirmation form (红字发票信息确认单) as the back office submits it. Amounts are
    the red invoice's: negative, except a discount line (折扣行), which is positive in the red invoice."""

    idempotency_key: str
    original_number: str
    original_code: str
    seller_tax_id: str
    buyer_tax_id: str
    reason: str
    amount: Decimal
    tax_amount: Decimal
    lines: list = field(default_factory=list)
    entered_by: str = "seller"

    def to_payload(self):
        return {
            "original_number": self.original_number, "original_code": self.original_code,
            "entered_by": self.entered_by, "seller_tax_id": self.seller_tax_id, "buyer_tax_id": self.buyer_tax_id,
            "reason": self.reason, "amount": str(self.amount), "tax_amount": str(self.tax_amount),
            "lines": [_json_line(line) for line in self.lines],
        }


@dataclass
class PlatformForm:
    """A red-letter form as the platform holds it: its number (编号) and status are the platform's."""

    number: str
    status: str
    lapses_at: datetime | None = None
    original_number: str = ""
    original_code: str = ""
    entered_by: str = ""
    seller_tax_id: str = ""
    buyer_tax_id: str = ""
    reason: str = ""
    amount: Decimal = Decimal(0)
    tax_amount: Decimal = Decimal(0)
    lines: list = field(default_factory=list)
    created_at: datetime | None = None
    duplicate: bool = False
    raw: dict = field(default_factory=dict)

    @classmethod
    def from_json(cls, payload, duplicate=False):
        """Read the platform's JSON; an answer without a number or a known status is not a form."""
        number, status = str(payload.get("number") or ""), str(payload.get("status") or "")
        if not number or status not in FORM_STATUSES:
            raise PlatformUnavailable(f"the platform answered without a form number or a known status: {payload!r}")
        try:
            amount = Decimal(str(payload.get("amount") or "0"))
            tax = Decimal(str(payload.get("tax_amount") or "0"))
        except ArithmeticError:
            raise PlatformUnavailable(f"form {number}: unreadable amounts") from None
        return cls(
            number=number, status=status, lapses_at=_when(payload.get("lapses_at")),
            original_number=str(payload.get("original_number") or ""),
            original_code=str(payload.get("original_code") or ""), entered_by=str(payload.get("entered_by") or ""),
            seller_tax_id=str(payload.get("seller_tax_id") or ""), buyer_tax_id=str(payload.get("buyer_tax_id") or ""),
            reason=str(payload.get("reason") or ""), amount=amount, tax_amount=tax,
            lines=list(payload.get("lines") or []), created_at=_when(payload.get("created_at")),
            duplicate=duplicate, raw=dict(payload),
        )


@dataclass
class PlatformCredit:
    """The seller's credit limit (授信额度) for issuing, in yuan."""

    total: Decimal
    used: Decimal
    remaining: Decimal

    @classmethod
    def from_json(cls, payload):
        try:
            return cls(**{k: Decimal(str(payload[k])) for k in ("total", "used", "remaining")})
        except (KeyError, ArithmeticError):
            raise PlatformUnavailable(f"the platform answered an unreadable credit: {payload!r}") from None


def _when(value):
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise PlatformUnavailable(f"unreadable time {value!r}") from None
    return moment if moment.tzinfo else None


def _json_line(line):
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in dict(line).items()}


def _dec(value):
    return None if value is None else str(value)


def invoice_payload(invoice):
    """The wire body of `POST /invoices` for one ledger invoice."""
    return {
        "number": invoice.number,
        "code": invoice.code,
        "kind": invoice.kind,
        "direction": invoice.direction,
        "issued_at": invoice.issued_at.isoformat(),
        "seller_tax_id": invoice.seller.tax_id,
        "seller_name": invoice.seller.name,
        "buyer_tax_id": invoice.buyer_tax_id,
        "buyer_name": invoice.buyer_name,
        "amount": str(invoice.amount),
        "tax_amount": str(invoice.tax_amount),
        "total": str(invoice.total),
        "original_number": invoice.original.number if invoice.original_id else "",
        "original_code": invoice.original.code if invoice.original_id else "",
        "remarks": invoice.remarks,
        "drawer": invoice.drawer,
        "lines": [
            {"name": line.name, "tax_code": line.tax_code, "spec": line.spec, "unit": line.unit,
             "quantity": _dec(line.quantity), "unit_price": _dec(line.unit_price), "amount": str(line.amount),
             "tax_rate": str(line.tax_rate), "zero_rate_flag": line.zero_rate_flag, "tax_amount": str(line.tax_amount)}
            for line in invoice.lines.order_by("line_no")
        ],
    }


def idempotency_key(invoice):
    """The invoice number; legacy invoices are only unique with their code, so it is prefixed there."""
    return f"{invoice.code}-{invoice.number}" if invoice.code else invoice.number


class Gateway:
    """The interface both implementations follow."""

    def upload(self, invoice) -> PlatformReceipt:
        raise NotImplementedError

    def query(self, invoice) -> PlatformRecord | None:
        raise NotImplementedError

    def issue(self, draft: InvoiceDraft) -> PlatformReceipt:
        raise NotImplementedError

    def download(self, invoice, format) -> PlatformFile | None:  # noqa: A002 (the wire protocol's word)
        """The invoice's file in `format` (pdf, ofd or xml); None when the platform has no such invoice."""
        raise NotImplementedError

    # --- red-letter forms and credit (the platform keeps them; the back office submits, reads and answers) --
    def red_letter_form_submit(self, draft: RedLetterFormDraft) -> PlatformForm:
        """The platform assigns the number and decides 01 (no confirmation) or 02 (the buyer confirms);
        the same key answers the same form (`duplicate`)."""
        raise NotImplementedError

    def red_letter_form_get(self, number) -> PlatformForm | None:
        raise NotImplementedError

    def red_letter_forms_waiting(self, seller_tax_id) -> list:
        """Forms the buyer entered (03) that wait for this seller's answer."""
        raise NotImplementedError

    def red_letter_form_confirm(self, number, accept: bool) -> str:
        """Answer a form the buyer entered: the new status, 04 (accepted) or 06 (refused)."""
        raise NotImplementedError

    def red_letter_form_cancel(self, number) -> str:
        """Withdraw a form we entered while it waits: the new status, 08."""
        raise NotImplementedError

    def credit(self, seller_tax_id) -> PlatformCredit:
        raise NotImplementedError

    def list_invoices(self, seller_tax_id, issued_from, issued_to, cursor=None,
                      limit=LISTING_MAX_LIMIT) -> PlatformListing:
        """One page of the seller's invoices issued from `issued_from` to `issued_to` (dates, inclusive), in the
        platform's stable order; pass the page's `next_cursor` for the next one."""
        raise NotImplementedError


def get_gateway():
    name = getattr(settings, "TAX_PLATFORM", "simulated") or "simulated"
    try:
        path = IMPLEMENTATIONS[name]
    except KeyError:
        raise PlatformError(f"TAX_PLATFORM must be one of {sorted(IMPLEMENTATIONS)}, not {name!r}") from None
    return import_string(path)()
