import django_filters
from django.utils.translation import gettext_lazy as _

from invoices.reissue.models import RedLetterForm, RedLetterFormStatus
from invoices.reissue.selectors import FORM_QUEUES, red_letter_forms_in_queue


class RedLetterFormFilter(django_filters.FilterSet):
    """The admin list's filters: finance's queues (as the caller sees them), the platform's status, who entered it."""

    queue = django_filters.ChoiceFilter(choices=FORM_QUEUES, method="filter_queue", label=_("queue"))
    status = django_filters.ChoiceFilter(choices=RedLetterFormStatus.choices)
    entered_by = django_filters.ChoiceFilter(choices=RedLetterForm._meta.get_field("entered_by").choices)

    class Meta:
        model = RedLetterForm
        fields = ["queue", "status", "entered_by"]

    def filter_queue(self, queryset, name, value):
        return red_letter_forms_in_queue(value, self.request.user, queryset)
