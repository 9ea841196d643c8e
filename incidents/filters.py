import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter, SaneIsoDateTimeFilter

from .models import (
    Channel,
    Communication,
    DeliveryStatus,
    FollowUp,
    FollowUpStatus,
    Incident,
    IncidentCategory,
    IncidentStatus,
    OpenedVia,
    Severity,
)
from .models.sla_breach import breached_q


def _user_or_me(queryset, field, value, request):
    if value == "me":
        return queryset.filter(**{field: request.user})
    if value.isdigit():
        return queryset.filter(**{f"{field}_id": int(value)})
    return queryset.none()


class IncidentFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=IncidentStatus.choices)
    category = django_filters.ChoiceFilter(choices=IncidentCategory.choices)
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    customer = IdFilter(field_name="customer_id")
    invoice = IdFilter(field_name="invoices", label=_("invoice id"))
    owner = django_filters.CharFilter(method="filter_owner", label=_("owner id or 'me'"))
    breached = django_filters.BooleanFilter(method="filter_breached", label=_("SLA breached"))
    created_after = SaneIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = SaneIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    opened_via = django_filters.ChoiceFilter(choices=OpenedVia.choices)
    rating = django_filters.ChoiceFilter(field_name="satisfaction__rating", label=_("satisfaction rating"),
                                        choices=[(n, str(n)) for n in range(1, 6)])

    class Meta:
        model = Incident
        fields = ["status", "category", "severity", "customer", "invoice", "owner", "breached", "opened_via", "rating"]

    def filter_owner(self, queryset, name, value):
        return _user_or_me(queryset, "owner", value, self.request)

    def filter_breached(self, queryset, name, value):
        condition = breached_q(timezone.now())
        return queryset.filter(condition) if value else queryset.exclude(condition)


class CommunicationFilter(django_filters.FilterSet):
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    delivery_status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)
    customer = IdFilter(field_name="customer_id")
    incident = IdFilter(field_name="incident_id")

    class Meta:
        model = Communication
        fields = ["channel", "direction", "delivery_status", "customer", "incident"]


class FollowUpFilter(django_filters.FilterSet):
    assignee = django_filters.CharFilter(method="filter_assignee", label=_("assignee id or 'me'"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("overdue"))
    status = django_filters.ChoiceFilter(choices=FollowUpStatus.choices)
    incident = IdFilter(field_name="incident_id")

    class Meta:
        model = FollowUp
        fields = ["assignee", "overdue", "status", "incident"]

    def filter_assignee(self, queryset, name, value):
        return _user_or_me(queryset, "assignee", value, self.request)

    def filter_overdue(self, queryset, name, value):
        now = timezone.now()
        if value:
            return queryset.filter(status=FollowUpStatus.OPEN, due_at__lt=now)
        return queryset.exclude(status=FollowUpStatus.OPEN, due_at__lt=now)
