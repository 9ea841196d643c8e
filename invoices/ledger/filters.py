import django_filters
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter, SaneIsoDateTimeFilter
from invoices.ledger.identifiers import normalize_text
from invoices.ledger.models import Invoice, InvoiceStatus, RiskLevel, SyncStatus


class InvoiceFilter(django_filters.FilterSet):
    number = django_filters.CharFilter(method="filter_number", label=_("invoice number"))
    buyer_tax_id = django_filters.CharFilter(method="filter_tax_id", label=_("buyer tax id"))
    status = django_filters.ChoiceFilter(choices=InvoiceStatus.choices)
    sync_status = django_filters.ChoiceFilter(choices=SyncStatus.choices)
    issued_after = SaneIsoDateTimeFilter(field_name="issued_at", lookup_expr="gte")
    issued_before = SaneIsoDateTimeFilter(field_name="issued_at", lookup_expr="lt")
    seller = IdFilter(field_name="seller_id")
    risk_level = django_filters.ChoiceFilter(choices=RiskLevel.choices)

    class Meta:
        model = Invoice
        fields = ["number", "buyer_tax_id", "status", "sync_status", "issued_after", "issued_before", "seller",
                  "risk_level"]

    def filter_number(self, queryset, name, value):
        return queryset.filter(number=normalize_text(value))

    def filter_tax_id(self, queryset, name, value):
        return queryset.filter(buyer_tax_id=normalize_text(value))


FLAGGED = "flagged"


class RiskLevelListFilter(admin.SimpleListFilter):
    """The invoice list's 风险等级 filter: the invoices the platform flags (either level, the partial index
    invoice_risky_idx), one level, or the normal ones."""

    title = _("risk level")
    parameter_name = "risk"

    def lookups(self, request, model_admin):
        return [(FLAGGED, _("flagged (异常凭证 or 疑点发票)")), *RiskLevel.choices]

    def queryset(self, request, queryset):
        value = self.value()
        if value == FLAGGED:
            return queryset.exclude(risk_level=RiskLevel.NORMAL)
        if value in RiskLevel.values:
            return queryset.filter(risk_level=value)
        return queryset
