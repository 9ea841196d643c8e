"""Writes files in the layout of the platform's 全量发票查询 export (sheet 发票基础信息, 19 columns), as CSV
(UTF-8, UTF-8 with BOM, GB18030) or XLSX. Tests, the benchmark and demos build their export files here
instead of depending on sample files outside the project."""
import csv
import io
from datetime import datetime

from django.utils import timezone

from invoices.platform.export_vocab import (
    EXPORT_COLUMNS,
    KIND_EXPORT_LABEL,
    RISK_EXPORT_LABEL,
    SHEET_NAME,
    STATUS_EXPORT_LABEL,
    red_link_text,
)

SOURCE_DIGITAL = "电子发票服务平台"
SOURCE_LEGACY = "增值税发票管理系统"


def invoice_row(invoice, *, seq=0, digital_in_number=False, with_time=True, **overrides):
    """The platform's row for a ledger invoice; keyword overrides (Chinese column names or the ASCII aliases
    below) let a test make it differ."""
    digital = invoice.kind.startswith("digital")
    issued = timezone.localtime(invoice.issued_at)
    remarks = invoice.remarks
    if invoice.original_id and "被红冲" not in remarks:
        link = red_link_text(code=invoice.original.code, number=invoice.original.number)
        remarks = f"{link} {remarks}".strip()
    row = {
        "序号": seq,
        "发票代码": "" if digital else invoice.code,
        "发票号码": (invoice.number if digital_in_number else "") if digital else invoice.number,
        "数电发票号码": invoice.number if digital else "",
        "销方识别号": invoice.seller.tax_id,
        "销方名称": invoice.seller.name,
        "购方识别号": invoice.buyer_tax_id,
        "购买方名称": invoice.buyer_name,
        "开票日期": issued.strftime("%Y-%m-%d %H:%M:%S" if with_time else "%Y-%m-%d"),
        "金额": f"{invoice.amount:.2f}",
        "税额": f"{invoice.tax_amount:.2f}",
        "价税合计": f"{invoice.total:.2f}",
        "发票来源": SOURCE_DIGITAL if digital else SOURCE_LEGACY,
        "发票票种": KIND_EXPORT_LABEL[invoice.kind],
        "发票状态": STATUS_EXPORT_LABEL[invoice.status],
        "是否正数发票": "是" if invoice.direction == "blue" else "否",
        "发票风险等级": RISK_EXPORT_LABEL[invoice.risk_level],
        "开票人": invoice.drawer,
        "备注": remarks,
    }
    return apply_overrides(row, overrides)


ALIASES = {
    "code": "发票代码", "number": "发票号码", "digital_number": "数电发票号码", "seller_tax_id": "销方识别号",
    "buyer_tax_id": "购方识别号", "buyer_name": "购买方名称", "issued_at": "开票日期", "amount": "金额",
    "tax_amount": "税额", "total": "价税合计", "kind": "发票票种", "status": "发票状态", "positive": "是否正数发票",
    "remarks": "备注", "drawer": "开票人", "risk": "发票风险等级",
}


def apply_overrides(row, overrides):
    for key, value in overrides.items():
        row[ALIASES.get(key, key)] = value
    return row


def float_damaged(number):
    """What Excel leaves of a 20-digit number: a double, spelled like 2.6112E+19."""
    return f"{float(number):.4E}"


def _header(digital_header):
    return [digital_header if c == "数电发票号码" else c for c in EXPORT_COLUMNS]


def _values(row, seq):
    values = [row.get(c, "") for c in EXPORT_COLUMNS]
    if not values[0]:
        values[0] = seq
    return values


def write_csv(fileobj, rows, *, encoding="utf-8-sig", digital_header="数电发票号码"):
    """Write to a binary file object. encoding: utf-8, utf-8-sig (with BOM) or gb18030."""
    text = io.TextIOWrapper(fileobj, encoding=encoding, newline="")
    writer = csv.writer(text)
    writer.writerow(_header(digital_header))
    for seq, row in enumerate(rows, start=1):
        writer.writerow(["" if v is None else v for v in _values(row, seq)])
    text.flush()
    text.detach()


def write_xlsx(fileobj, rows, *, digital_header="数电发票号码", numeric_amounts=True):
    """Write an XLSX workbook with the 发票基础信息 sheet (write-only mode, so memory stays flat)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_NAME)
    sheet.append(_header(digital_header))
    for seq, row in enumerate(rows, start=1):
        values = _values(row, seq)
        for i, column in enumerate(EXPORT_COLUMNS):
            value = values[i]
            if numeric_amounts and column in ("金额", "税额", "价税合计") and isinstance(value, str):
                try:
                    values[i] = float(value)
                except ValueError:
                    pass
            if column == "开票日期" and isinstance(value, str) and len(value) == 19:
                try:
                    values[i] = datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
                except ValueError:
                    pass
        sheet.append(values)
    workbook.save(fileobj)


def build_file(rows, fmt, **kwargs):
    """rows → bytes. fmt: 'csv-utf8', 'csv-bom', 'csv-gb18030' or 'xlsx'."""
    buffer = io.BytesIO()
    if fmt == "xlsx":
        write_xlsx(buffer, rows, **kwargs)
    else:
        encoding = {"csv-utf8": "utf-8", "csv-bom": "utf-8-sig", "csv-gb18030": "gb18030"}[fmt]
        write_csv(buffer, rows, encoding=encoding, **kwargs)
    return buffer.getvalue()
