"""The invoice list's columns, chosen so a row fits one or two lines at 1440 px: number, 开票时间, 销售方, buyer, total,
states and a short kind. Long names are cut with an ellipsis (the whole name in the tooltip) and numbers, times
and amounts never wrap."""
from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.admin.written import money
from invoices.ledger.models import InvoiceKind, RiskLevel

KIND_SHORT = {
    InvoiceKind.DIGITAL_SPECIAL: pgettext_lazy("invoice kind, short", "digital special"),
    InvoiceKind.DIGITAL_GENERAL: pgettext_lazy("invoice kind, short", "digital general"),
    InvoiceKind.VAT_SPECIAL: pgettext_lazy("invoice kind, short", "paper special"),
    InvoiceKind.VAT_GENERAL: pgettext_lazy("invoice kind, short", "paper general"),
    InvoiceKind.VAT_ELECTRONIC_GENERAL: pgettext_lazy("invoice kind, short", "e-general"),
    InvoiceKind.VAT_ELECTRONIC_SPECIAL: pgettext_lazy("invoice kind, short", "e-special"),
    InvoiceKind.DIGITAL_PAPER_SPECIAL: pgettext_lazy("invoice kind, short", "digital paper special"),
    InvoiceKind.DIGITAL_PAPER_GENERAL: pgettext_lazy("invoice kind, short", "digital paper general"),
    InvoiceKind.DIGITAL_MOTOR_VEHICLE: pgettext_lazy("invoice kind, short", "digital motor vehicle"),
    InvoiceKind.VAT_GENERAL_ROLL: pgettext_lazy("invoice kind, short", "roll"),
    InvoiceKind.MOTOR_VEHICLE: pgettext_lazy("invoice kind, short", "motor vehicle"),
}
# 发票风险等级 in the list: only a flag is written; a normal invoice's cell stays empty.
RISK_SHORT = {
    RiskLevel.ABNORMAL: pgettext_lazy("invoice risk, short", "abnormal voucher"),
    RiskLevel.SUSPICIOUS: pgettext_lazy("invoice risk, short", "suspicious invoice"),
}
FLAG = "color:#ba2121;font-weight:bold;white-space:nowrap"
NOWRAP = "white-space:nowrap"
CUT = "display:inline-block;max-width:{}em;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;vertical-align:top"


def nowrap(text, title=""):
    return format_html('<span style="{}" title="{}">{}</span>', NOWRAP, title, text)


def cut(text, width, title=None):
    return format_html('<span style="{}" title="{}">{}</span>', CUT.format(width), text if title is None else title,
                       text)


def local_minute(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "-"


def two_lines(first, second):
    """A cell of two lines that never wrap: the main value, and under it a quieter one."""
    return format_html('<span style="{}">{}</span><br><span class="quiet" style="{}">{}</span>', NOWRAP, first,
                       NOWRAP, second)


class InvoiceListColumns:
    """ModelAdmin mixin: the list's columns (list_display names these methods). Two lines a row at most: the
    number over its short kind, the date over the time, the seller over the buyer, the state over the sync
    state; 1440 px leaves the table about 830 px beside the menu and the filters."""

    list_display = ["number_kind", "issued", "seller_buyer", "total_shown", "states", "risk_shown"]

    @admin.display(description=_("invoice"), ordering="number")
    def number_kind(self, obj):
        return two_lines(str(obj), KIND_SHORT.get(obj.kind, obj.get_kind_display()))

    @admin.display(description=_("issued at"), ordering="issued_at")
    def issued(self, obj):
        local = timezone.localtime(obj.issued_at)
        return two_lines(local.strftime("%Y-%m-%d"), local.strftime("%H:%M"))

    @admin.display(description=pgettext_lazy("list column", "seller / buyer"), ordering="seller__name")
    def seller_buyer(self, obj):
        return format_html("{}<br>{}", cut(obj.seller.name, 13, f"{obj.seller.name} ({obj.seller.region})"),
                           cut(obj.buyer_name, 13, f"{obj.buyer_name} {obj.buyer_tax_id}"))

    @admin.display(description=_("total incl. tax"), ordering="total")
    def total_shown(self, obj):
        return format_html('<span style="{};display:block;text-align:right">{}</span>', NOWRAP, money(obj.total))

    @admin.display(description=pgettext_lazy("list column", "status / sync"), ordering="status")
    def states(self, obj):
        return two_lines(obj.get_status_display(), obj.get_sync_status_display())

    @admin.display(description=pgettext_lazy("list column", "risk"), ordering="risk_level")
    def risk_shown(self, obj):
        short = RISK_SHORT.get(obj.risk_level)
        return format_html('<span style="{}">{}</span>', FLAG, short) if short else ""
