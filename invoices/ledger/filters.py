import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter, SaneIsoDateTimeFilter
from invoices.ledger.identifiers import normalize_text
from invoices.ledger.models import Invoice, InvoiceStatus, SyncStatus


class InvoiceFilter(django_filters.FilterSet):
    number = django_filters.CharFilter(method="filter_number", label=_("invoice number"))
    buyer_tax_id = django_filters.CharFilter(method="filter_tax_id", label=_("buyer tax id"))
    status = django_filters.ChoiceFilter(choices=InvoiceStatus.choices)
    sync_status = django_filters.ChoiceFilter(choices=SyncStatus.choices)
    issued_after = SaneIsoDateTimeFilter(field_name="issued_at", lookup_expr="gte")
    issued_before = SaneIsoDateTimeFilter(field_name="issued_at", lookup_expr="lt")
    seller = IdFilter(field_name="seller_id")

    class Meta:
        model = Invoice
        fields = ["number", "buyer_tax_id", "status", "sync_status", "issued_after", "issued_before", "seller"]

    def filter_number(self, queryset, name, value):
        return queryset.filter(number=normalize_text(value))

    def filter_tax_id(self, queryset, name, value):
        return queryset.filter(buyer_tax_id=normalize_text(value))
