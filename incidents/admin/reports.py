"""The management reports as built and sent: read-only, with their files to download."""
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.admin.readonly import ReadOnlyAdminMixin

from ..models import Report


@admin.register(Report)
class ReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "period_start", "period_end", "team", "created_at", "sent_at", "files"]
    list_filter = ["kind"]
    list_select_related = ["team"]
    fields = ["kind", "period", "period_start", "period_end", "team", "created_at", "created_by", "sent_at",
              "recipient_list", "files"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    @admin.display(description=_("files"))
    def files(self, obj):
        links = [(reverse("admin:incidents_report_file", args=[obj.pk, fmt]), f.name.rsplit("/", 1)[-1])
                 for fmt, f in (("xlsx", obj.xlsx_file), ("pdf", obj.pdf_file)) if f]
        return format_html_join(" · ", '<a href="{}">{}</a>', links) if links else "—"

    @admin.display(description=_("recipients"))
    def recipient_list(self, obj):
        return format_html("{}", ", ".join(u.get_username() for u in obj.recipients.all()) or "—")

    def get_urls(self):
        return [path("<int:pk>/file/<str:fmt>/", self.admin_site.admin_view(self.file_view),
                     name="incidents_report_file")] + super().get_urls()

    def file_view(self, request, pk, fmt):
        """The file through the storage API (media is not served by the web server)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        report = get_object_or_404(Report, pk=pk)
        field = {"xlsx": report.xlsx_file, "pdf": report.pdf_file}.get(fmt)
        if not field:
            raise Http404
        return FileResponse(field.open("rb"), as_attachment=True, filename=field.name.rsplit("/", 1)[-1])
