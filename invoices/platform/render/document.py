"""What every rendering shows, read once from the platform's payload, with the wording of the printed invoice.

One source per fact: the 备注 are the remarks the ledger holds (a red invoice's link to its original is already
in them, written by the reissue; nothing is added here), the 开票人 is the payload's drawer, amounts are written
by core.money_text and item names by tax_codes.printed_item_name."""
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from core.money_text import figures, yuan
from invoices.ledger.capitals import amount_in_capitals
from invoices.ledger.tax_codes import printed_item_name

SHANGHAI = ZoneInfo("Asia/Shanghai")

# The title printed at the top of each 票种, as the tax authority names it.
TITLES = {
    "digital_special": "电子发票（增值税专用发票）",
    "digital_general": "电子发票（普通发票）",
    "digital_motor_vehicle": "电子发票（机动车销售统一发票）",
    "digital_paper_special": "数电纸质发票（增值税专用发票）",
    "digital_paper_general": "数电纸质发票（普通发票）",
    "vat_special": "增值税专用发票",
    "vat_general": "增值税普通发票",
    "vat_electronic_special": "增值税电子专用发票",
    "vat_electronic_general": "增值税电子普通发票",
    "vat_general_roll": "增值税普通发票（卷票）",
    "motor_vehicle": "机动车销售统一发票",
}
SPECIAL_KINDS = {"digital_special", "digital_paper_special", "vat_special", "vat_electronic_special"}

# 发票种类代码 as the first fields of the QR code carry it (the 全国增值税发票查验平台's codes): 01 专票, 03 机动车,
# 04 普票, 08 电子专票, 10 电子普票, 11 卷票 for legacy invoices; 31/32 for 数电 e-invoices, 85/86 for 数电纸质,
# 87 for the 数电 机动车 invoice. docs/invoice-files.md says where each comes from.
QR_KIND_CODES = {
    "vat_special": "01",
    "motor_vehicle": "03",
    "vat_general": "04",
    "vat_electronic_special": "08",
    "vat_electronic_general": "10",
    "vat_general_roll": "11",
    "digital_special": "31",
    "digital_general": "32",
    "digital_paper_special": "85",
    "digital_paper_general": "86",
    "digital_motor_vehicle": "87",
}
QR_VERSION = "01"


def _dec(value):
    if value in (None, ""):
        return None
    return Decimal(str(value))


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
    return f"{value.normalize():f}"


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
    tax_code: str = ""

    @property
    def printed_name(self):
        """"*信息技术服务*软件开发服务": the 简称 of the 税收分类编码 before the name."""
        return printed_item_name(self.name, self.tax_code)

    @property
    def rate(self):
        return rate_text(self.tax_rate, self.zero_rate_flag)


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
    original_code: str = ""
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
            original_number=str(payload.get("original_number") or ""),
            original_code=str(payload.get("original_code") or ""), remarks=str(payload.get("remarks") or ""),
            drawer=str(payload.get("drawer") or ""),
            lines=[Line(name=str(ln.get("name") or ""), spec=str(ln.get("spec") or ""), unit=str(ln.get("unit") or ""),
                        quantity=_dec(ln.get("quantity")), unit_price=_dec(ln.get("unit_price")),
                        amount=_dec(ln.get("amount")) or Decimal("0.00"), tax_rate=_dec(ln.get("tax_rate")),
                        tax_amount=_dec(ln.get("tax_amount")) or Decimal("0.00"),
                        zero_rate_flag=str(ln.get("zero_rate_flag") or ""), tax_code=str(ln.get("tax_code") or ""))
                   for ln in payload.get("lines") or []],
        )

    @property
    def special(self):
        return self.kind in SPECIAL_KINDS

    @property
    def title(self):
        return TITLES.get(self.kind, TITLES["digital_special" if self.special else "digital_general"])

    @property
    def kind_code(self):
        return QR_KIND_CODES.get(self.kind, "")

    @property
    def issued_date(self):
        return f"{self.issued_at.year}年{self.issued_at.month:02d}月{self.issued_at.day:02d}日"

    @property
    def total_in_capitals(self):
        return amount_in_capitals(self.total)

    @property
    def remark_lines(self):
        """备注 as the ledger holds them, line by line (blank lines dropped), nothing added."""
        return [part.strip() for part in self.remarks.splitlines() if part.strip()]

    def money(self, value):
        """¥1,234.50 / -¥106,000.00."""
        return yuan(value)

    @staticmethod
    def figures(value):
        """A table cell's amount, without the ¥: -106,000.00."""
        return figures(value)

    @property
    def qr_payload(self):
        """What the QR code carries, the fields an invoice's QR carries for 查验, comma-separated:
        01,<发票种类代码>,<发票代码>,<发票号码>,<金额 excl. tax>,<开票日期 YYYYMMDD>,<校验码>,<check>,
        The 校验码 (legacy e-invoices only) and the trailing check are the tax authority's own; the simulated
        platform has neither, so both are empty (a 数电 invoice has no 校验码 either)."""
        amount = "" if self.amount is None else f"{self.amount:.2f}"
        fields = [QR_VERSION, self.kind_code, self.code, self.number, amount, self.issued_at.strftime("%Y%m%d"),
                  "", ""]
        return ",".join(fields) + ","
