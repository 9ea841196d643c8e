"""员工邮件: every email to staff (reminders, escalations, reports) with its delivery state and error. Read-only:
a failed one is sent again by 重试 on its job (作业), the one delivery path's job."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin.readonly import ReadOnlyAdminMixin
from core.paginator import EstimatedCountPaginator

from ..models import StaffEmail


@admin.register(StaffEmail)
class StaffEmailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "purpose", "subject", "recipient_list", "delivery_status", "delivery_attempts",
                    "sent_at"]
    list_filter = ["delivery_status", "purpose"]
    search_fields = ["subject"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    fields = ["purpose", "recipient_list", "subject", "body", "incident", "followup", "report", "attachment_list",
              "delivery_status", "delivery_attempts", "delivery_error", "sent_at", "created_at"]
    readonly_fields = fields

    @admin.display(description=_("recipients"))
    def recipient_list(self, obj):
        return ", ".join(obj.recipients or []) or "—"

    @admin.display(description=_("attachments"))
    def attachment_list(self, obj):
        return ", ".join(obj.attachment_names) or "—"
