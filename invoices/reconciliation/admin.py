"""Admin for reconciliation: an upload form that returns at once, a run page with progress and counts, and a
discrepancy list whose actions call the resolution services."""
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.admin.readonly import ReadOnlyAdminMixin
from core.paginator import EstimatedCountPaginator
from invoices.ledger.list_columns import local_minute, nowrap, two_lines
from invoices.ledger.models import Seller
from invoices.reconciliation.admin_apply import RunApplyAdminMixin
from invoices.reconciliation.admin_manual_entry import ManualEntryAdminMixin
from invoices.reconciliation.models import (
    COUNT_FIELDS,
    Discrepancy,
    DiscrepancyKind,
    ReconciliationRun,
    RunPhase,
    RunStatus,
)
from invoices.reconciliation.services.discrepancies import (
    discrepancy_ignore,
    discrepancy_mark_missing,
    discrepancy_resync,
)
from invoices.reconciliation.services.runs import reconciliation_start
from invoices.reconciliation.written import file_format_label, platform_rows

RECONCILE = "invoices.reconcile_invoices"


class ReconciliationUploadForm(forms.Form):
    seller = forms.ModelChoiceField(label=_("seller"), queryset=Seller.objects.all())
    period_start = forms.DateField(label=_("period start"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("period end"), widget=forms.DateInput(attrs={"type": "date"}))
    file = forms.FileField(label=_("export file"), help_text=_(
        "The platform's 全量发票查询 export: XLSX (sheet 发票基础信息) or CSV in UTF-8, UTF-8 with BOM or GB18030/GBK."))
    exported_at = forms.DateTimeField(
        label=_("export time (导出时间)"), initial=timezone.now, required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("When the file was exported from the platform; default now. Invoices the platform confirmed "
                    "later keep their state."))


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(RunApplyAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "seller", "status", "rows_read", "count_missing_on_platform",
                    "count_missing_in_ledger", "count_unreadable", "created_by", "created_at"]
    list_filter = ["status", "seller"]
    list_select_related = ["seller", "created_by"]
    fields = ["seller", "period_start", "period_end", "file_name", "file_format_shown", "exported_at", "status",
              "progress", "error", "apply_status", "proposal_table", "counts_table", "created_by", "created_at",
              "started_at", "finished_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return request.user.has_perm(RECONCILE)  # the upload form starts a run

    @admin.display(description=_("file format"))
    def file_format_shown(self, obj):
        return file_format_label(obj.file_format)

    @admin.display(description=_("progress"))
    def progress(self, obj):
        if obj.status == RunStatus.DONE:
            return _("%(rows)s rows read, %(matched)s match the ledger of %(ledger)s invoices") % {
                "rows": obj.rows_read, "matched": obj.rows_matched, "ledger": obj.ledger_invoices}
        if obj.status == RunStatus.RUNNING:
            step = obj.get_phase_display()
            if obj.phase == RunPhase.MATCH and obj.parts > 1:
                step = _("%(step)s, part %(part)s of %(parts)s") % {
                    "step": step, "part": obj.position + 1, "parts": obj.parts}
            return _("%(status)s (%(step)s): %(rows)s rows read so far") % {
                "status": obj.get_status_display(), "step": step, "rows": obj.rows_read}
        return _("%(status)s: %(rows)s rows read so far") % {"status": obj.get_status_display(), "rows": obj.rows_read}

    @admin.display(description=_("discrepancies"))
    def counts_table(self, obj):
        url = reverse("admin:invoices_discrepancy_changelist")
        return format_html_join(mark_safe("<br>"), '<a href="{}?run__id__exact={}&kind__exact={}">{}: {}</a>', (
            (url, obj.pk, kind, DiscrepancyKind(kind).label, getattr(obj, field))
            for kind, field in COUNT_FIELDS.items()
        ))

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ReconciliationUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                run = reconciliation_start(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                self.message_user(request, _("Run %(run)s queued; this page follows its progress.") % {"run": run},
                                  messages.SUCCESS)
                return redirect("admin:invoices_reconciliationrun_change", run.pk)
        context = {**self.admin_site.each_context(request), "title": _("Reconcile with the platform export"),
                   "opts": self.model._meta, "form": form, "media": self.media + form.media}
        return TemplateResponse(request, "admin/invoices/reconciliationrun/upload.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        run = self.get_object(request, object_id)
        extra = {"auto_refresh": bool(run and run.status in (RunStatus.QUEUED, RunStatus.RUNNING))}
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})


class IgnoreForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


@admin.register(Discrepancy)
class DiscrepancyAdmin(ManualEntryAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    # One or two lines a row at 1440 px: the number (linked to its invoice when the ledger has one), what differs
    # and what was done; the run is a filter, the row id is nobody's business.
    list_display = ["kind_shown", "invoice_link", "detail_shown", "handled"]
    list_display_links = None
    list_filter = ["kind", "resolution"]
    list_select_related = ["run", "resolved_by"]
    search_fields = ["=number"]
    raw_id_fields = ["run", "invoice"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    ordering = ["run_id", "id"]
    actions = ["resync", "mark_missing", "manual_entry", "ignore"]
    fields = ["run", "kind", "invoice", "row_no", "number", "detail", "platform_row", "resolution", "resolution_note",
              "resolved_by", "resolved_at"]
    readonly_fields = fields

    def has_reconcile_permission(self, request):
        return request.user.has_perm(RECONCILE)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        run_id = request.GET.get("run__id__exact")
        return qs.filter(run_id=run_id) if run_id and run_id.isdigit() else qs

    def lookup_allowed(self, lookup, value, request=None):
        return lookup == "run__id__exact" or super().lookup_allowed(lookup, value, request)

    @admin.display(description=_("invoice number"), ordering="number")
    def invoice_link(self, obj):
        number = nowrap(obj.number or "—")
        if not obj.invoice_id:
            return number
        return format_html('<a href="{}">{}</a>', reverse("admin:invoices_invoice_change", args=[obj.invoice_id]),
                           number)

    @admin.display(description=_("platform row"))
    def platform_row(self, obj):
        """The export's row as the platform wrote it: its column names and values, not JSON."""
        if not obj.platform_data:
            return "—"
        return format_html('<table>{}</table>', format_html_join("", "<tr><th>{}</th><td>{}</td></tr>",
                                                                 platform_rows(obj.platform_data)))

    @admin.display(description=pgettext_lazy("discrepancy", "kind"), ordering="kind")
    def kind_shown(self, obj):
        return nowrap(obj.get_kind_display())

    @admin.display(description=_("detail"))
    def detail_shown(self, obj):
        link = reverse("admin:invoices_discrepancy_change", args=[obj.pk])
        # Two lines at most; the whole text is on the discrepancy's page and in the tooltip.
        return format_html('<a href="{}" title="{}" style="color:inherit;display:-webkit-box;-webkit-line-clamp:2;'
                           '-webkit-box-orient:vertical;overflow:hidden;max-width:20em">{}</a>', link, obj.detail,
                           obj.detail or "—")

    @admin.display(description=_("resolution"), ordering="resolution")
    def handled(self, obj):
        if not obj.resolved_at:
            return nowrap(obj.get_resolution_display())
        who = obj.resolved_by.get_username() if obj.resolved_by_id else "—"
        return two_lines(obj.get_resolution_display(), f"{who} · {local_minute(obj.resolved_at)}")

    def _apply(self, request, queryset, service, label, **kwargs):
        done, failed = 0, []
        for item in queryset.order_by("id"):
            try:
                service(discrepancy=item, actor=request.user, **kwargs)
            except ValidationError as exc:
                failed.append(f"#{item.pk}: " + "; ".join(m for ms in exc.message_dict.values() for m in ms))
            else:
                done += 1
        if done:
            self.message_user(request, _("%(label)s: %(n)d discrepancies resolved.") % {"label": label, "n": done},
                              messages.SUCCESS)
        for failure in failed:
            self.message_user(request, failure, messages.ERROR)

    @admin.action(description=_("Re-sync the invoice with the platform"), permissions=["reconcile"])
    def resync(self, request, queryset):
        self._apply(request, queryset, discrepancy_resync, _("Re-sync"))

    @admin.action(description=_("Mark missing on the platform and open an incident"), permissions=["reconcile"])
    def mark_missing(self, request, queryset):
        self._apply(request, queryset, discrepancy_mark_missing, _("Marked missing"))

    @admin.action(description=_("Manual entry (补录) into the ledger…"), permissions=["reconcile"])
    def manual_entry(self, request, queryset):
        return self.manual_entry_bulk(request, queryset)

    @admin.action(description=_("Ignore with a reason…"), permissions=["reconcile"])
    def ignore(self, request, queryset):
        form = IgnoreForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            self._apply(request, queryset, discrepancy_ignore, _("Ignored"), reason=form.cleaned_data["reason"])
            return None
        context = {**self.admin_site.each_context(request), "title": _("Ignore discrepancies"),
                   "opts": self.model._meta, "form": form, "queryset": queryset,
                   "action_checkbox_name": ACTION_CHECKBOX_NAME}
        return TemplateResponse(request, "admin/invoices/discrepancy/ignore.html", context)
