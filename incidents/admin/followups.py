from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX

from core.admin.fastlist import FastChangeListMixin
from core.admin.history import ReadOnlyHistoryAdmin
from core.paginator import EstimatedCountPaginator
from invoices.ledger.resource_headers import TranslatedExportForm

from ..models import FollowUp, FollowUpStatus
from ..resources import FollowUpResource
from ..selectors import visible_followups
from ..services.followups import followup_assign, followup_complete, followup_create
from .base import guarded_changeform, staff_users
from .forms import AssignForm
from .names import PersonChoiceField, person


class AssigneeFilter(admin.SimpleListFilter):
    """'My follow-ups' is the default view; 'everyone' shows the whole team."""

    title = _("assignee")
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        return [("me", _("me")), ("all", _("everyone"))]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {"selected": (self.value() or "me") == value, "display": label,
                   "query_string": changelist.get_query_string({self.parameter_name: value})}

    def queryset(self, request, queryset):
        if (self.value() or "me") == "me":
            return queryset.filter(assignee=request.user)
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    title = _("due")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("overdue", _("overdue")), ("today", _("due today"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "overdue":
            return queryset.filter(status=FollowUpStatus.OPEN, due_at__lt=now)
        if self.value() == "today":
            return queryset.filter(status=FollowUpStatus.OPEN, due_at__date=timezone.localdate())
        return queryset


@admin.register(FollowUp)
class FollowUpAdmin(FastChangeListMixin, ExportMixin, ReadOnlyHistoryAdmin):
    resource_classes = [FollowUpResource]
    export_form_class = TranslatedExportForm  # the field chooser names columns as the file's headers do
    formats = [CSV, XLSX]  # what a desk opens in Excel or WPS, as on the invoice lists
    list_display = ["title", "status", "due_state", "due_at", "assignee_name", "incident", "customer", "priority"]
    PHONE_COLUMNS = ["title", "status", "due_state", "assignee_name"]
    change_list_template = "admin/incidents/followup/change_list.html"
    list_filter = [AssigneeFilter, "status", OverdueFilter, "priority"]
    list_select_related = ["assignee", "incident", "customer", "team"]
    # Open first ("open" > "done" > "cancelled" descending), then the earliest due: overdue ones on top.
    ordering = ["-status", "due_at", "id"]
    search_fields = ["title"]
    autocomplete_fields = ["customer", "incident"]  # the incident by reference, not by database id
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    actions = ["complete", "cancel", "assign"]
    fields = ["title", "incident", "customer", "assignee", "due_at", "priority", "notes"]

    def get_queryset(self, request):
        return visible_followups(request.user, super().get_queryset(request))

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return self.fields + ["team", "status", "assigned_by", "completed_at", "reminder_sent_at", "escalated_at",
                              "communication", "created_at"]

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj) or self.fields

    @admin.display(description=_("assignee"), ordering="assignee__first_name")
    def assignee_name(self, obj):
        return person(obj.assignee)

    @admin.display(description=_("overdue"), boolean=False)
    def due_state(self, obj):
        if obj.is_overdue():  # gettext, not the lazy _, for a list of a hundred rows (see IncidentAdmin.sla_state)
            return format_html('<strong style="color:#ba2121">{}</strong>', gettext("overdue"))
        return ""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assignee":
            users = staff_users()
            if not request.user.has_perm("incidents.assign_followup"):
                users = users.filter(pk=request.user.pk)
            kwargs["queryset"] = users
            kwargs["initial"] = request.user.pk
            kwargs["form_class"] = PersonChoiceField  # colleagues by name, not by login
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        # Follow-ups change through the actions (complete, cancel, assign), never by editing the form.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # Fits 1440 px beside its filters, as the incident list (IncidentAdmin.changelist_view).
        return super().changelist_view(request, {"phone_columns": self.PHONE_COLUMNS, "is_nav_sidebar_enabled": False,
                                                 **(extra_context or {})})

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def has_assign_permission(self, request):
        return request.user.has_perm("incidents.assign_followup")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = followup_create(actor=request.user, **{f: data.get(f) for f in self.fields})
        obj.pk = saved.pk

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return guarded_changeform(self, super().changeform_view, request, object_id, form_url, extra_context)

    def _run(self, request, queryset, action, **kwargs):
        done = 0
        for followup in queryset:
            try:
                action(followup=followup, actor=request.user, **kwargs)
            except (ValidationError, PermissionDenied) as exc:
                text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                self.message_user(request, f"{followup}: {text}", messages.ERROR)
            else:
                done += 1
        self.message_user(request, ngettext("%(n)d follow-up updated.", "%(n)d follow-ups updated.", done)
                          % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("Mark done"), permissions=["change"])
    def complete(self, request, queryset):
        self._run(request, queryset, followup_complete)

    @admin.action(description=_("Cancel"), permissions=["change"])
    def cancel(self, request, queryset):
        self._run(request, queryset, followup_complete, cancel=True)

    @admin.action(description=_("Assign to…"), permissions=["assign"])
    def assign(self, request, queryset):
        form = AssignForm(request.POST if "apply" in request.POST else None, users=staff_users())
        if form.is_bound and form.is_valid():
            self._run(request, queryset, followup_assign, assignee=form.cleaned_data["assignee"])
            return redirect(request.get_full_path())
        context = {
            **self.admin_site.each_context(request), "title": _("Assign follow-ups"), "opts": self.model._meta,
            "form": form, "queryset": queryset, "action": "assign",
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/incidents/followup/assign.html", context)
