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
    """The platform refused the data itself; retrying the same data cannot help."""

    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code = str(code)
        self.message = str(message)


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
    remarks: str = ""

    def to_payload(self):
        return {
            "kind": self.kind, "direction": self.direction, "issued_at": self.issued_at.isoformat(),
            "seller_tax_id": self.seller_tax_id, "seller_name": self.seller_name, "region_code": self.region_code,
            "buyer_tax_id": self.buyer_tax_id, "buyer_name": self.buyer_name, "amount": str(self.amount),
            "tax_amount": str(self.tax_amount), "total": str(self.total), "original_number": self.original_number,
            "remarks": self.remarks, "lines": [_json_line(line) for line in self.lines],
        }


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
        "remarks": invoice.remarks,
        "drawer": invoice.drawer,
        "lines": [
            {"name": line.name, "tax_code": line.tax_code, "spec": line.spec, "unit": line.unit,
             "quantity": _dec(line.quantity), "unit_price": _dec(line.unit_price), "amount": str(line.amount),
             "tax_rate": str(line.tax_rate), "tax_exempt": line.tax_exempt, "tax_amount": str(line.tax_amount)}
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


def get_gateway():
    name = getattr(settings, "TAX_PLATFORM", "simulated") or "simulated"
    try:
        path = IMPLEMENTATIONS[name]
    except KeyError:
        raise PlatformError(f"TAX_PLATFORM must be one of {sorted(IMPLEMENTATIONS)}, not {name!r}") from None
    return import_string(path)()
