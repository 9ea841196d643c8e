"""A discrepancy's platform row and its detail as a clerk reads them: the ledger's field names in the user's
language, amounts as ¥1,234.50, times to the minute, states by their labels."""
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext

from core.admin.written import money
from invoices.ledger.list_columns import local_minute
from invoices.ledger.models import Direction, Invoice, InvoiceKind, InvoiceStatus, RiskLevel

MONEY_FIELDS = {"amount", "tax_amount", "total"}
LABELS = {"kind": InvoiceKind, "status": InvoiceStatus, "direction": Direction, "risk_level": RiskLevel}


def field_label(name):
    if name == "original_number":
        return gettext("original invoice number")
    if name == "original_code":  # a legacy original's 发票代码, from the red row's 备注
        return gettext("original invoice code")
    try:
        return str(Invoice._meta.get_field(name).verbose_name)
    except Exception:  # a column the ledger does not have: shown as the export named it
        return name


def field_value(name, value):
    if value in (None, ""):
        return "—"
    if name in MONEY_FIELDS:
        return money(value)
    if name == "issued_at":
        parsed = parse_datetime(str(value))
        return local_minute(parsed) if parsed else value
    if name in LABELS:
        try:
            return str(LABELS[name](value).label)
        except ValueError:
            return value
    return value


def platform_rows(data):
    """[(label, value)] of a discrepancy's platform_data."""
    return [(field_label(name), field_value(name, value)) for name, value in (data or {}).items()]


def file_format_label(stored):
    """"csv (utf-8-sig)" as the reader records it -> how a clerk names the file."""
    return {
        "xlsx": gettext("XLSX workbook"),
        "csv (utf-8-sig)": gettext("CSV, UTF8 with signature"),
        "csv (utf-8)": gettext("CSV, UTF8"),
        "csv (gb18030)": gettext("CSV, GB18030 (GBK)"),
    }.get(stored, stored or "—")
