"""What every rendering shows, read once from the platform's payload, with the wording of the 数电 layout."""
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from invoices.ledger.capitals import amount_in_capitals

SPECIAL_KINDS = {"digital_special", "vat_special", "vat_electronic_special"}
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _dec(value):
    if value in (None, ""):
        return None
    return Decimal(str(value))


def yuan(value):
    """1234.5 -> '1,234.50' (the ¥ is added where the layout writes it)."""
    return "" if value is None else f"{value:,.2f}"


# The 税率 column of a 0% line prints why it carries no tax.
ZERO_RATE_TEXT = {"exempt": "免税", "not_taxable": "不征税", "export_zero": "出口零税率"}


def rate_text(rate, zero_rate_flag=""):
    if zero_rate_flag:
        return ZERO_RATE_TEXT.get(zero_rate_flag, zero_rate_flag)
    if rate is None:
        return ""
    percent = (rate * 100).normalize()
    return f"{percent:f}%"


def plain(value):
    """A quantity or unit price without trailing zeros: 2.5000000000000 -> 2.5."""
    if value is None:
        return ""
    text = f"{value.normalize():f}"
    return text


@dataclass
class Line:
    name: str
    spec: str
    unit: str
    quantity: Decimal | None
    unit_price: Decimal | None
    amount: Decimal
    tax_rate: Decimal | None
    tax_amount: Decimal
    zero_rate_flag: str = ""


@dataclass
class InvoiceDocument:
    number: str
    code: str
    kind: str
    red: bool
    issued_at: datetime
    seller_name: str
    seller_tax_id: str
    buyer_name: str
    buyer_tax_id: str
    amount: Decimal
    tax_amount: Decimal
    total: Decimal
    original_number: str = ""
    remarks: str = ""
    drawer: str = ""
    lines: list = field(default_factory=list)

    @classmethod
    def from_payload(cls, payload):
        issued = datetime.fromisoformat(str(payload["issued_at"]))
        return cls(
            number=str(payload["number"]), code=str(payload.get("code") or ""), kind=str(payload.get("kind") or ""),
            red=payload.get("direction") == "red", issued_at=issued.astimezone(SHANGHAI),
            seller_name=str(payload.get("seller_name") or ""), seller_tax_id=str(payload.get("seller_tax_id") or ""),
            buyer_name=str(payload.get("buyer_name") or ""), buyer_tax_id=str(payload.get("buyer_tax_id") or ""),
            amount=_dec(payload["amount"]), tax_amount=_dec(payload["tax_amount"]), total=_dec(payload["total"]),
            original_number=str(payload.get("original_number") or ""), remarks=str(payload.get("remarks") or ""),
            drawer=str(payload.get("drawer") or ""),
            lines=[Line(name=str(ln.get("name") or ""), spec=str(ln.get("spec") or ""), unit=str(ln.get("unit") or ""),
                        quantity=_dec(ln.get("quantity")), unit_price=_dec(ln.get("unit_price")),
                        amount=_dec(ln.get("amount")) or Decimal("0.00"), tax_rate=_dec(ln.get("tax_rate")),
                        tax_amount=_dec(ln.get("tax_amount")) or Decimal("0.00"),
                        zero_rate_flag=str(ln.get("zero_rate_flag") or ""))
                   for ln in payload.get("lines") or []],
        )

    @property
    def special(self):
        return self.kind in SPECIAL_KINDS

    @property
    def title(self):
        return "电子发票（增值税专用发票）" if self.special else "电子发票（普通发票）"

    @property
    def issued_date(self):
        return f"{self.issued_at.year}年{self.issued_at.month:02d}月{self.issued_at.day:02d}日"

    @property
    def total_in_capitals(self):
        return amount_in_capitals(self.total)

    @property
    def remark_lines(self):
        """备注 as printed: a red invoice names the blue one it flushes first."""
        lines = []
        if self.red and self.original_number:
            lines.append(f"被红冲蓝字数电发票号码：{self.original_number}")
        lines += [part for part in self.remarks.splitlines() if part.strip()]
        return lines
