"""作业: every job with its state and error; 重试 for the failed ones a person answers for."""
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin.readonly import ReadOnlyAdminMixin
from core.api_errors import Conflict

from .models import Job, JobStatus
from .registry import describe, label_of, registered
from .services import can_retry, job_retry

STATUS_COLOURS = {JobStatus.FAILED: "#ba2121", JobStatus.RUNNING: "#205067", JobStatus.QUEUED: "#666"}


class JobNameFilter(admin.SimpleListFilter):
    title = _("job")
    parameter_name = "name"

    def lookups(self, request, model_admin):
        return [(name, spec.label) for name, spec in registered().items()]

    def queryset(self, request, queryset):
        return queryset.filter(name=self.value()) if self.value() else queryset


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else "—"


@admin.register(Job)
class JobAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # The next try is on the job's page: the list keeps room for the error beside the filters at 1440 px.
    list_display = ["job_label", "subject", "status_label", "attempts_label", "created", "error_line"]
    list_filter = ["status", "area", JobNameFilter]
    list_per_page = 50
    show_full_result_count = False
    actions = ["retry_selected"]
    fields = ["job_label", "subject", "area", "status_label", "attempts_label", "created", "next_try", "lease",
              "finished", "last_error", "result"]
    readonly_fields = fields
    change_form_template = "admin/core/job/change_form.html"  # templates/: the 重试 button

    @admin.display(description=_("job"))
    def job_label(self, obj):
        return format_html('<span style="white-space:nowrap">{}</span>', label_of(obj.name))

    @admin.display(description=_("about"))
    def subject(self, obj):
        return describe(obj.name, obj.params) or "—"

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, obj):
        return format_html('<strong style="color:{}">{}</strong>', STATUS_COLOURS.get(obj.status, "#264b0f"),
                           obj.get_status_display())

    @admin.display(description=_("attempts"))
    def attempts_label(self, obj):
        return f"{obj.attempts} / {obj.max_attempts}"

    @admin.display(description=_("created at"), ordering="created_at")
    def created(self, obj):
        return _local(obj.created_at)

    @admin.display(description=_("next try at"))
    def next_try(self, obj):
        return _local(obj.next_try_at) if obj.status == JobStatus.QUEUED else "—"

    @admin.display(description=_("lease until"))
    def lease(self, obj):
        return _local(obj.lease_until) if obj.status == JobStatus.RUNNING else "—"

    @admin.display(description=_("finished at"))
    def finished(self, obj):
        return _local(obj.finished_at)

    @admin.display(description=_("last error"))
    def error_line(self, obj):
        first = (obj.last_error or "").strip().splitlines()
        if not first:
            return "—"
        line = first[0]
        # The whole error is on the job's page; the list shows where to look. An exception name is one long word:
        # let it break rather than push the column under the filters.
        text = line if len(line) <= 80 and len(first) == 1 else format_html("{}… ({})", line[:80],
                                                                            gettext("more on the job's page"))
        return format_html('<span style="display:inline-block;min-width:12em;overflow-wrap:anywhere">{}</span>', text)

    @admin.action(description=_("Retry the selected failed jobs"))
    def retry_selected(self, request, queryset):
        done, refused = 0, []
        for job in queryset.filter(status=JobStatus.FAILED):
            try:
                job_retry(job=job, actor=request.user)
                done += 1
            except (PermissionDenied, Conflict) as exc:
                refused.append(f"{label_of(job.name)}: {getattr(exc, 'detail', exc)}")
        if done:
            self.message_user(request, gettext("%(n)d job(s) queued again.") % {"n": done}, messages.SUCCESS)
        for line in refused:
            self.message_user(request, line, messages.ERROR)
        if not done and not refused:
            self.message_user(request, gettext("None of the selected jobs has failed."), messages.WARNING)

    def get_urls(self):
        return [path("<int:pk>/retry/", self.admin_site.admin_view(self.retry_view), name="core_job_retry"),
                *super().get_urls()]

    def retry_view(self, request, pk):
        job = get_object_or_404(Job, pk=pk)  # pk is an int: the URL says so
        if request.method != "POST":
            return redirect(reverse("admin:core_job_change", args=[pk]))
        try:
            job_retry(job=job, actor=request.user)
        except (PermissionDenied, Conflict) as exc:
            self.message_user(request, str(getattr(exc, "detail", exc)), messages.ERROR)
        else:
            self.message_user(request, gettext("“%(j)s” is queued again.") % {"j": label_of(job.name)}, messages.SUCCESS)
        return redirect(reverse("admin:core_job_change", args=[pk]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.get_object(request, object_id)  # None for an id that is not a number: the admin's 404
        extra = {"can_retry": bool(job and job.retryable and can_retry(request.user, job))}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})
