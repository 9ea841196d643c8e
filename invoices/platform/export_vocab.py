"""The platform export's vocabulary (domain page, "The platform's invoice export"): column names and their
variants, 发票票种 and 发票状态 values, and the red-to-blue link in 备注."""
import re

from invoices.ledger.identifiers import normalize_text
from invoices.ledger.models import Direction, InvoiceKind, InvoiceStatus

SHEET_NAME = "发票基础信息"

# Canonical key -> header names seen in real exports (compared after normalize_text).
HEADERS = {
    "seq": ["序号"],
    "code": ["发票代码"],
    "number": ["发票号码"],
    "digital_number": ["数电发票号码", "全电发票号码", "数电票号码"],
    "seller_tax_id": ["销方识别号", "销售方识别号", "销方纳税人识别号"],
    "seller_name": ["销方名称", "销售方名称"],
    "buyer_tax_id": ["购方识别号", "购买方识别号", "购方纳税人识别号"],
    "buyer_name": ["购买方名称", "购方名称"],
    "issued_at": ["开票日期"],
    "amount": ["金额"],
    "tax_amount": ["税额"],
    "total": ["价税合计"],
    "source": ["发票来源"],
    "kind": ["发票票种"],
    "status": ["发票状态"],
    "positive": ["是否正数发票"],
    "risk": ["发票风险等级"],
    "drawer": ["开票人"],
    "remarks": ["备注"],
}
REQUIRED = ("number", "issued_at", "amount", "tax_amount", "total", "kind", "status", "buyer_tax_id")
HEADER_LOOKUP = {normalize_text(name): key for key, names in HEADERS.items() for name in names}

# The layout the writer produces, in the platform's column order.
EXPORT_COLUMNS = [
    "序号", "发票代码", "发票号码", "数电发票号码", "销方识别号", "销方名称", "购方识别号", "购买方名称", "开票日期",
    "金额", "税额", "价税合计", "发票来源", "发票票种", "发票状态", "是否正数发票", "发票风险等级", "开票人", "备注",
]

KIND_LABELS = {
    InvoiceKind.DIGITAL_SPECIAL: ["数电发票（增值税专用发票）", "数电票（增值税专用发票）", "全电发票（增值税专用发票）"],
    InvoiceKind.DIGITAL_GENERAL: ["数电发票（普通发票）", "数电票（普通发票）", "全电发票（普通发票）"],
    InvoiceKind.VAT_SPECIAL: ["增值税专用发票"],
    InvoiceKind.VAT_GENERAL: ["增值税普通发票"],
    InvoiceKind.VAT_ELECTRONIC_GENERAL: ["增值税电子普通发票"],
    InvoiceKind.VAT_ELECTRONIC_SPECIAL: ["增值税电子专用发票"],
}
KIND_LOOKUP = {normalize_text(label): kind.value for kind, labels in KIND_LABELS.items() for label in labels}
KIND_EXPORT_LABEL = {kind.value: labels[0] for kind, labels in KIND_LABELS.items()}

STATUS_LABELS = {
    InvoiceStatus.ISSUED: ["正常", "01"],
    InvoiceStatus.VOID: ["已作废", "02"],
    InvoiceStatus.RED_FLUSHED: ["已红冲-全额", "已红冲－全额", "03"],
    InvoiceStatus.PARTIALLY_RED_FLUSHED: ["已红冲-部分", "已红冲－部分", "04"],
}
STATUS_LOOKUP = {normalize_text(label): status.value for status, labels in STATUS_LABELS.items() for label in labels}
STATUS_EXPORT_LABEL = {status.value: labels[0] for status, labels in STATUS_LABELS.items()}

POSITIVE_LOOKUP = {"是": Direction.BLUE.value, "否": Direction.RED.value, "Y": "blue", "N": "red"}

# "被红冲蓝字数电发票号码：26117000000012345678", wording varies (数电票, 全电发票, 全电票, colon width, spaces).
RED_LINK_RE = re.compile(r"被红冲蓝字(?:数电|全电)?(?:发票|票)?号码\s*[:：]?\s*([0-9]{8,20})")


def find_red_link(remarks):
    match = RED_LINK_RE.search(remarks or "")
    return match.group(1) if match else ""
