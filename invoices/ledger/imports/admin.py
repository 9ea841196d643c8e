"""The admin's side of background imports, mixed into ServiceImportExportMixin: an upload of more than
IMPORT_INLINE_MAX_ROWS rows (by default 0: every file) becomes an import job with its own page, the counted preview
with reasons; only a deployment that raises the setting keeps the stock inline preview for small files."""
from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin.readonly import ReadOnlyAdminMixin
from invoices.ledger.imports.models import ImportJob
from invoices.ledger.imports.progress import live_counts
from invoices.ledger.imports.rows import estimate_rows
from invoices.ledger.imports.services import import_job_confirm, import_job_create


class BackgroundImportMixin:
    def _import_job_url_name(self, suffix=""):
        return f"{self.opts.app_label}_{self.opts.model_name}_import_job{suffix}"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/jobs/<int:job_id>/", view(self.import_job_view), name=self._import_job_url_name()),
            path("import/jobs/<int:job_id>/confirm/", view(self.import_job_confirm_view),
                 name=self._import_job_url_name("_confirm")),
        ] + super().get_urls()

    def import_action(self, request, **kwargs):
        if request.method == "POST" and self.has_import_permission(request):
            form = self.create_import_form(request)
            if form.is_valid():
                file_format = self.get_import_formats()[int(form.cleaned_data["format"])]().get_title().lower()
                upload = form.cleaned_data["import_file"]
                rows = estimate_rows(upload, file_format)
                limit = getattr(settings, "IMPORT_MAX_ROWS", 50_000)
                if rows > limit:
                    form.add_error("import_file", gettext(
                        "The file has about %(rows)s rows; at most %(limit)s rows are imported at a time. Split it "
                        "into several files.") % {"rows": f"{rows:,}", "limit": f"{limit:,}"})
                    return self._import_form_page(request, form)
                if rows > getattr(settings, "IMPORT_INLINE_MAX_ROWS", 0):
                    return self._start_import_job(request, form, upload, file_format, rows)
        response = super().import_action(request, **kwargs)
        if isinstance(response, TemplateResponse) and "fields_list" in (response.context_data or {}):
            response.context_data["fields_list"] = self._fields_list(request)
        return response

    def _fields_list(self, request):
        """The columns a file may have, named as the export names them (a file's headers may be either language)."""
        listed = []
        for resource_class in self.get_import_resource_classes(request):
            resource = resource_class()
            label = getattr(resource, "header_label", lambda column: column)
            listed.append((resource.get_display_name(),
                           [label(f.column_name) for f in resource.get_user_visible_fields()]))
        return listed

    def _import_form_page(self, request, form):
        context = {**self.admin_site.each_context(request), **self.get_import_context_data(), "form": form,
                   "opts": self.opts, "media": self.media + form.media, "title": gettext("Import"),
                   "fields_list": self._fields_list(request)}
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)

    def _start_import_job(self, request, form, upload, file_format, rows):
        resource_class = self.choose_import_resource_class(form, request)
        try:
            job = import_job_create(actor=request.user, model_label=self.opts.label_lower,
                                    resource_path=f"{resource_class.__module__}.{resource_class.__qualname__}",
                                    permission=self.import_permission, upload=upload, file_format=file_format,
                                    rows_estimated=rows, language=request.LANGUAGE_CODE)
        except ValidationError as exc:
            form.add_error("import_file", exc.messages)
            return self._import_form_page(request, form)
        return redirect(f"admin:{self._import_job_url_name()}", job.pk)

    def _import_job(self, request, job_id):
        if not self.has_import_permission(request):
            raise PermissionDenied
        job = get_object_or_404(ImportJob, pk=job_id, model_label=self.opts.label_lower)
        if job.created_by_id != request.user.pk and not request.user.is_superuser:
            raise PermissionDenied
        return job

    def import_job_view(self, request, job_id):
        job = self._import_job(request, job_id)
        live = live_counts(job.pk) if job.running else None
        counts = live or job.counts or {}
        context = {
            **self.admin_site.each_context(request), "opts": self.opts, "job": job, "counts": counts,
            "live": live, "errors": (live or {}).get("errors") if job.running else job.errors,
            "skipped": sorted(job.skipped.items(), key=lambda item: -item[1]),
            "title": gettext("Import %(file)s") % {"file": job.file_name},
            "confirm_url": reverse(f"admin:{self._import_job_url_name('_confirm')}", args=[job.pk]),
            "import_url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import"),
            "list_url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"),
            "percent": _percent(counts.get("read", 0), job.rows_estimated),
            "key_label": _key_label(job),
        }
        return TemplateResponse(request, "admin/invoices/import_job.html", context)

    def import_job_confirm_view(self, request, job_id):
        job = self._import_job(request, job_id)
        if request.method != "POST":
            return redirect(f"admin:{self._import_job_url_name()}", job.pk)
        try:
            import_job_confirm(job=job, actor=request.user)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        return redirect(f"admin:{self._import_job_url_name()}", job.pk)


def _key_label(job):
    resource = import_string(job.resource_path)()
    column = getattr(resource, "import_key_column", None)
    return resource.header_label(column) if column and hasattr(resource, "header_label") else None


def _percent(done, total):
    return min(100, int(done * 100 / total)) if total else 0


IMPORT_PERMISSIONS = ("invoices.import_invoices", "invoices.import_customers")


class ImportJobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """导入记录: a person's own background imports (every one for a superuser), each linking to its page."""

    list_display = ["file_link", "target", "status", "rows", "created_at"]
    list_filter = ["status"]
    ordering = ["-created_at"]
    list_per_page = 50

    def get_queryset(self, request):
        jobs = super().get_queryset(request).select_related("created_by")
        return jobs if request.user.is_superuser else jobs.filter(created_by=request.user)

    def has_view_permission(self, request, obj=None):
        return any(request.user.has_perm(p) for p in IMPORT_PERMISSIONS) and (
            obj is None or obj.created_by_id == request.user.pk or request.user.is_superuser)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.get_object(request, object_id)  # None for an id that is not a number, too
        if job is None:
            raise Http404(gettext("No such import."))
        return redirect(_job_url(job))

    @admin.display(description=_("file"), ordering="file_name")
    def file_link(self, job):
        return format_html('<a href="{}">{}</a>', _job_url(job), job.file_name)

    @admin.display(description=_("imported into"))
    def target(self, job):
        return apps.get_model(job.model_label)._meta.verbose_name_plural

    @admin.display(description=_("rows in the file"))
    def rows(self, job):
        return f"{job.counts.get('read', job.rows_estimated):,}"


def _job_url(job):
    app_label, model_name = job.model_label.split(".")
    return reverse(f"admin:{app_label}_{model_name}_import_job", args=[job.pk])
