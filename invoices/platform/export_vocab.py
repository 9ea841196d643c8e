"""The platform export's vocabulary (domain page, "The platform's invoice export"): column names and their
variants, 发票票种, 发票状态 and 发票风险等级 values, and the red-to-blue link in 备注 (written and parsed here)."""
import re

from invoices.ledger.identifiers import normalize_text
from typing import NamedTuple

from invoices.ledger.models import Direction, InvoiceKind, InvoiceStatus, RiskLevel

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
    InvoiceKind.DIGITAL_PAPER_SPECIAL: ["数电纸质发票（增值税专用发票）", "全电纸质发票（增值税专用发票）"],
    InvoiceKind.DIGITAL_PAPER_GENERAL: ["数电纸质发票（普通发票）", "全电纸质发票（普通发票）"],
    InvoiceKind.DIGITAL_MOTOR_VEHICLE: ["数电发票（机动车销售统一发票）", "数电票（机动车销售统一发票）",
                                        "全电发票（机动车销售统一发票）"],
    InvoiceKind.VAT_GENERAL_ROLL: ["增值税普通发票（卷票）", "增值税普通发票（卷式）"],
    InvoiceKind.MOTOR_VEHICLE: ["机动车销售统一发票"],
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

# 发票风险等级 (labels compared after normalize_text, so half- and full-width brackets alike). An empty cell (an export without the column, or a row the platform left blank) says nothing.
RISK_LABELS = {
    RiskLevel.NORMAL: ["正常"],
    RiskLevel.ABNORMAL: ["异常凭证"],
    RiskLevel.SUSPICIOUS: ["疑点发票"],
}
RISK_LOOKUP = {normalize_text(label): level.value for level, labels in RISK_LABELS.items() for label in labels}
RISK_EXPORT_LABEL = {level.value: labels[0] for level, labels in RISK_LABELS.items()}

POSITIVE_LOOKUP = {"是": Direction.BLUE.value, "否": Direction.RED.value, "Y": "blue", "N": "red"}


class RedLink(NamedTuple):
    """The blue original a red invoice's 备注 names: a 数电 number (code ""), or a legacy code + number."""
    code: str
    number: str


# The wordings in use (domain page, "Red-letter"): a 数电 original by its number (数电/全电, 发票/票, or neither), a
# legacy one by 发票代码 and 号码; full- or half-width colons, any spaces (a full-width one too) and a comma
# between code and number. Group 1: the 数电 number; groups 2 and 3: the legacy code and number. PostgreSQL's
# regexp_match reads the same pattern (load_plain.red_link_sql), so it uses nothing its AREs lack.
_GAP = "[\\s　]*"
_COLON = f"{_GAP}[:：]?{_GAP}"
RED_LINK_RE = re.compile(
    f"被红冲蓝字(?:(?:数电|全电)?(?:发票|票)?号码{_COLON}([0-9]{{8,20}})"
    f"|(?:发票)?代码{_COLON}([0-9]{{12}}|[0-9]{{10}}){_GAP}[,，;；、]?{_GAP}(?:发票)?号码{_COLON}([0-9]{{8}}))"
)


def red_link_text(*, code, number, form_number=""):
    """The link line of a red invoice's 备注: a legacy original (one with a 发票代码) is named by code and number,
    never as a 数电 number; then the red-letter form's number when there is one."""
    if code:
        link = f"被红冲蓝字发票代码：{code} 号码：{number}"
    else:
        link = f"被红冲蓝字数电发票号码：{number}"
    return f"{link} 红字发票信息确认单编号：{form_number}" if form_number else link


def find_red_link(remarks):
    """The original a red invoice's 备注 names, as RedLink(code, number); RedLink("", "") when it names none."""
    match = RED_LINK_RE.search(remarks or "")
    if not match:
        return RedLink("", "")
    if match.group(1):
        return RedLink("", match.group(1))
    return RedLink(match.group(2), match.group(3))
