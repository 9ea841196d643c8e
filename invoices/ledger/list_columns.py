"""The invoice list's columns, chosen so a row fits one or two lines at 1440 px: number, 开票时间, 销售方, buyer, total,
states and a short kind. Long names are cut with an ellipsis (the whole name in the tooltip) and numbers, times
and amounts never wrap."""
from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.admin.written import money
from invoices.ledger.models import InvoiceKind

KIND_SHORT = {
    InvoiceKind.DIGITAL_SPECIAL: pgettext_lazy("invoice kind, short", "digital special"),
    InvoiceKind.DIGITAL_GENERAL: pgettext_lazy("invoice kind, short", "digital general"),
    InvoiceKind.VAT_SPECIAL: pgettext_lazy("invoice kind, short", "paper special"),
    InvoiceKind.VAT_GENERAL: pgettext_lazy("invoice kind, short", "paper general"),
    InvoiceKind.VAT_ELECTRONIC_GENERAL: pgettext_lazy("invoice kind, short", "e-general"),
    InvoiceKind.VAT_ELECTRONIC_SPECIAL: pgettext_lazy("invoice kind, short", "e-special"),
}
NOWRAP = "white-space:nowrap"
CUT = "display:inline-block;max-width:{}em;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;vertical-align:top"


def nowrap(text, title=""):
    return format_html('<span style="{}" title="{}">{}</span>', NOWRAP, title, text)


def cut(text, width, title=None):
    return format_html('<span style="{}" title="{}">{}</span>', CUT.format(width), text if title is None else title,
                       text)


def local_minute(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "-"


class InvoiceListColumns:
    """ModelAdmin mixin: the list's columns (list_display names these methods)."""

    list_display = ["__str__", "issued", "seller_name", "buyer_shown", "total_shown", "status_shown", "sync_shown",
                    "kind_short"]

    @admin.display(description=_("issued at"), ordering="issued_at")
    def issued(self, obj):
        return nowrap(local_minute(obj.issued_at))

    @admin.display(description=_("seller"), ordering="seller__name")
    def seller_name(self, obj):
        return cut(obj.seller.name, 13, f"{obj.seller.name} ({obj.seller.region})")

    @admin.display(description=_("buyer"), ordering="buyer_name")
    def buyer_shown(self, obj):
        return cut(obj.buyer_name, 14, f"{obj.buyer_name} {obj.buyer_tax_id}")

    @admin.display(description=_("total incl. tax"), ordering="total")
    def total_shown(self, obj):
        return format_html('<span style="{};display:block;text-align:right">{}</span>', NOWRAP, money(obj.total))

    @admin.display(description=_("status"), ordering="status")
    def status_shown(self, obj):
        return nowrap(obj.get_status_display())

    @admin.display(description=_("sync status"), ordering="sync_status")
    def sync_shown(self, obj):
        return nowrap(obj.get_sync_status_display())

    @admin.display(description=_("kind"), ordering="kind")
    def kind_short(self, obj):
        return nowrap(KIND_SHORT.get(obj.kind, obj.kind), obj.get_kind_display())
