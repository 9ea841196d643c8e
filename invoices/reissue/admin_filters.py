from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import ReissueStatus


class ApprovalQueueFilter(admin.SimpleListFilter):
    """The approver's queue: requests someone else made, waiting for a decision (never one's own)."""

    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("to_approve", _("waiting for my approval")), ("mine", _("my requests"))]

    def queryset(self, request, queryset):
        if self.value() == "to_approve":
            return queryset.filter(status=ReissueStatus.REQUESTED).exclude(requested_by=request.user)
        if self.value() == "mine":
            return queryset.filter(requested_by=request.user)
        return queryset



