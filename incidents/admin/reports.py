"""The management reports as built and sent: read-only, with their files to download."""
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from core.admin.readonly import ReadOnlyAdminMixin

from ..models import Report
from ..services.reports import report_request
from .report_form import ReportRequestForm


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
        links = [(reverse("admin:incidents_report_file", args=[obj.pk, fmt]), fmt.upper())
                 for fmt, f in (("xlsx", obj.xlsx_file), ("pdf", obj.pdf_file)) if f]
        return format_html_join(" · ", '<a href="{}">{}</a>', links) if links else "—"

    @admin.display(description=_("recipients"))
    def recipient_list(self, obj):
        return format_html("{}", ", ".join(u.get_username() for u in obj.recipients.all()) or "—")

    def get_urls(self):
        return [path("<int:pk>/file/<str:fmt>/", self.admin_site.admin_view(self.file_view),
                     name="incidents_report_file"),
                path("generate/", self.admin_site.admin_view(self.generate_view), name="incidents_report_generate"),
                ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}),
                         "can_generate": request.user.has_perm("incidents.review_incident")}
        return super().changelist_view(request, extra_context)

    def generate_view(self, request):
        """Build a report for a period chosen here: the job builds it and it appears in this list."""
        if not request.user.has_perm("incidents.review_incident"):
            raise PermissionDenied
        form = ReportRequestForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                report_request(period=form.cleaned_data["period"], team=form.cleaned_data["team"],
                               actor=request.user)
            except ValidationError as error:
                form.add_error("period", error.message_dict.get("period"))
            else:
                messages.success(request, _("The report for %(period)s is being built; it appears in this list "
                                            "when it is ready (refresh in a minute).") % {
                    "period": form.cleaned_data["period"]})
                return redirect("admin:incidents_report_changelist")
        context = {**self.admin_site.each_context(request), "title": _("Generate a report"), "form": form,
                   "opts": self.model._meta}
        return TemplateResponse(request, "admin/incidents/report/generate.html", context)

    def file_view(self, request, pk, fmt):
        """The file through the storage API (media is not served by the web server)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        report = get_object_or_404(Report, pk=pk)
        field = {"xlsx": report.xlsx_file, "pdf": report.pdf_file}.get(fmt)
        if not field:
            raise Http404
        return FileResponse(field.open("rb"), as_attachment=True, filename=field.name.rsplit("/", 1)[-1])
