from datetime import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX

from core.admin.fastlist import FastChangeListMixin
from core.admin.history import ReadOnlyHistoryAdmin
from core.admin.readonly import ReadOnlyAdminMixin
from core.admin.tables import ReadOnlyTablesMixin
from core.paginator import EstimatedCountPaginator
from invoices.ledger.models import Invoice
from invoices.ledger.resource_headers import TranslatedExportForm

from ..access import can_work_incident, sees_every_team, team_ids
from ..models import (
    OPEN_STATUSES,
    Incident,
    IncidentCategory,
    IncidentEvent,
    IncidentStatus,
    IncidentStep,
    RootCauseCategory,
    Team,
)
from ..models.sla_breach import breached_q
from ..resources import IncidentResource
from ..selectors import ready_to_answer, sent_back_to, visible_incident_events, visible_incidents
from ..services.incidents import (
    UPDATABLE_FIELDS,
    incident_attach_invoices,
    incident_claim,
    incident_open,
    incident_review,
    incident_transition,
    incident_update,
)
from ..services.merge import incident_merge
from ..services.notify import incident_notify_customers, notify_preview
from ..services.steps import incident_step_done, incident_step_skip
from ..services.timeline import incident_note_add
from .base import action_view, guarded_changeform, staff_users
from .names import PersonChoiceField, person
from .dashboard import dashboard_view
from .desk import incident_desk, incident_state
from .forms import (
    MergeForm,
    NoteForm,
    NotifyForm,
    PreventionStepForm,
    ReviewForm,
    SkipStepForm,
    StepForm,
    TransitionForm,
)
from .tables import IncidentChecklistTable, IncidentTimelineTable, timeline_view


def _as_shown(old, new):
    """The stored time posted back as the page showed it (to the minute in Chinese, to the second in English): not
    a change, though the stored one has seconds and microseconds."""
    return isinstance(old, datetime) and isinstance(new, datetime) and new in (
        old.replace(microsecond=0), old.replace(second=0, microsecond=0))


class SlaFilter(admin.SimpleListFilter):
    title = _("SLA")
    parameter_name = "sla"

    def lookups(self, request, model_admin):
        return [("breached", _("breached")), ("ok", _("within target"))]

    def queryset(self, request, queryset):
        if self.value() == "breached":
            return queryset.filter(breached_q(timezone.now()))
        if self.value() == "ok":
            return queryset.exclude(breached_q(timezone.now()))
        return queryset


class MineFilter(admin.SimpleListFilter):
    title = _("owner")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("me", _("mine")), ("none", _("unowned"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(owner=request.user)
        if self.value() == "none":
            return queryset.filter(owner__isnull=True)
        return queryset


class HandoffFilter(admin.SimpleListFilter):
    """The home page's hand-offs (incidents/selectors.py), so each count opens exactly its rows."""
    title = _("hand-off")
    parameter_name = "handoff"

    def lookups(self, request, model_admin):
        return [("ready", _("ready to answer the customer")), ("sent_back", _("sent back by the reviewer"))]

    def queryset(self, request, queryset):
        if self.value() == "ready":
            return queryset.filter(pk__in=ready_to_answer(request.user).values("pk"))
        if self.value() == "sent_back":
            return queryset.filter(pk__in=sent_back_to(request.user).values("pk"))
        return queryset


class SatisfactionFilter(admin.SimpleListFilter):
    title = _("satisfaction")
    parameter_name = "satisfaction"

    def lookups(self, request, model_admin):
        return [("high", _("satisfied (4–5)")), ("low", _("not satisfied (1–3)")), ("none", _("no answer"))]

    def queryset(self, request, queryset):
        if self.value() == "high":
            return queryset.filter(satisfaction__rating__gte=4)
        if self.value() == "low":
            return queryset.filter(satisfaction__rating__lte=3)
        if self.value() == "none":
            return queryset.filter(satisfaction__isnull=True)
        return queryset


@admin.register(Incident)
class IncidentAdmin(FastChangeListMixin, ReadOnlyTablesMixin, ExportMixin, ReadOnlyHistoryAdmin):
    resource_classes = [IncidentResource]
    export_form_class = TranslatedExportForm  # the field chooser names columns as the file's headers do
    formats = [CSV, XLSX]  # what a desk opens in Excel or WPS, as on the invoice lists
    # What a desk needs to pick the next incident, one line a row at 1440 px; on a phone the first four stay.
    list_display = ["reference", "title", "status", "sla_state", "owner_name", "customer", "severity", "created_at"]
    PHONE_COLUMNS = ["reference", "title", "status", "sla_state", "owner_name"]
    list_filter = ["status", SlaFilter, MineFilter, "category", "severity", "kind", "opened_via", SatisfactionFilter,
                   HandoffFilter]
    list_select_related = ["customer", "owner", "team"]
    search_fields = ["=reference", "title"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    # Invoices picked by number (the invoice admin's search), never typed as database ids.
    autocomplete_fields = ["customer", "seller", "invoices"]
    # The checklist and the timeline are read-only (steps are ticked through step_view): tables, not inlines.
    readonly_tables = [IncidentChecklistTable, IncidentTimelineTable]
    # ExportMixin wraps this template (as ie_base_change_list_template) and adds its Export button.
    change_list_template = "admin/incidents/incident/change_list.html"
    import_export_change_list_template = "admin/incidents/incident/change_list_export.html"
    ADD_FIELDS = ["title", "description", "kind", "category", "severity", "customer", "seller", "invoices", "team", "owner",
                  "fault_started_at", "detected_at"]
    CHANGE_FIELDS = ADD_FIELDS + ["platform_recovered_at", "customer_informed_at", "root_cause_category", "root_cause",
                                  "resolution"]
    STATE_FIELDS = ["reference", "status", "opened_via", "satisfaction_display", "sla_state", "response_due_at",
                    "first_response_at", "resolve_due_at",
                    "resolved_at", "reviewed_by", "reviewed_at", "closed_at", "created_by", "created_at"]
    # Under the desk (templates/admin/incidents/incident/change_form.html) the page shows only what the desk does not:
    # the details no desk action changes, open; the rest in closed sections. The desk already says the reference,
    # status, SLA, owner, customer and invoices; owner, customer and invoices are changed in their own closed section.
    DESK_FIELDSETS = [
        ("details", _("incident details"),
         ["title", "description", ("kind", "category", "severity"), ("seller", "team")]),
        ("cause", _("cause and resolution"), ["root_cause_category", "root_cause", "resolution"]),
        ("times", pgettext_lazy("incident page section", "times"),
         [("fault_started_at", "detected_at"), ("platform_recovered_at", "customer_informed_at"),
          ("first_response_at", "resolved_at", "closed_at")]),
        ("record", _("intake, review and satisfaction"),
         [("opened_via", "created_by", "created_at"), ("reviewed_by", "reviewed_at"), "satisfaction_display"]),
        ("people", _("change owner, customer or invoices"), ["owner", "customer", "invoices"]),
    ]
    SHORT_TEXTS = {"description": 3, "root_cause": 2, "resolution": 2}  # rows of the text boxes under the desk

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": self.ADD_FIELDS})]
        # Open: the details; once resolved, the cause and resolution; once closed, the review and the satisfaction.
        opened = {"details"}
        if obj.status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED):
            opened.add("cause")
        if obj.status == IncidentStatus.CLOSED:
            opened.add("record")
        # Read-only (a closed incident, another team's): the desk already shows owner, customer and invoices.
        hidden = set() if self.has_change_permission(request, obj) else {"people"}
        return [(name, {"fields": fields, **({} if key in opened else {"classes": ["collapse"]})})
                for key, name, fields in self.DESK_FIELDSETS if key not in hidden]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            for name, rows in self.SHORT_TEXTS.items():
                if name in form.base_fields:
                    form.base_fields[name].widget.attrs["rows"] = rows
        return form

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        ro = list(self.STATE_FIELDS)
        if not self.has_change_permission(request, obj):
            ro += self.CHANGE_FIELDS
        return ro

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "owner":
            kwargs["queryset"] = staff_users()
            kwargs["form_class"] = PersonChoiceField  # colleagues by name, not by login
        if db_field.name == "root_cause_category":
            kwargs["queryset"] = RootCauseCategory.objects.filter(active=True)
        if db_field.name == "team" and not sees_every_team(request.user):
            kwargs["queryset"] = Team.objects.filter(pk__in=team_ids(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        # Reps see their teams' incidents and the shared queue (incidents/selectors.py), here as in the API.
        return visible_incidents(request.user, super().get_queryset(request))

    @admin.display(description=_("SLA"))
    def sla_state(self, obj):
        # gettext, not the lazy _: a lazy string is translated again at every comparison the list makes with it.
        if obj.sla_breached():
            return format_html('<strong style="color:#ba2121">{}</strong>', gettext("breached"))
        return gettext("ok")

    @admin.display(description=_("owner"), ordering="owner__first_name")
    def owner_name(self, obj):
        """The owner by name; on the shared queue a 领取 button, which posts the list's own form (with its CSRF
        token) to the claim view, since a form may not sit inside the list's form."""
        if obj.owner_id:
            return person(obj.owner)
        if obj.status not in OPEN_STATUSES:
            return "-"
        return format_html('<button type="submit" class="button" formaction="{}" formmethod="post" '
                           'name="claim" value="1">{}</button>',
                           reverse("admin:incidents_incident_claim", args=[obj.pk]), gettext("Take it"))

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        invoice_id = request.GET.get("invoice", "")
        if invoice_id.isdigit():
            invoice = Invoice.objects.filter(pk=invoice_id).select_related("buyer").first()
            if invoice is not None:
                initial.update({
                    "customer": invoice.buyer_id, "invoices": [invoice.pk], "seller": invoice.seller_id,
                    "category": IncidentCategory.INVOICE_MISSING,
                    "title": _("Invoice %(n)s not found in the tax system") % {"n": invoice},
                })
        return initial

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        # A closed incident is the signed-off record: read-only; the desk offers only reopening.
        return can_work_incident(request.user, obj) and obj.status != IncidentStatus.CLOSED

    def has_delete_permission(self, request, obj=None):
        return False  # incidents are records; they are closed, never deleted

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).prefetch_related("invoices")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changes = {f: data[f] for f in form.changed_data if f in UPDATABLE_FIELDS
                       and not _as_shown(form.initial.get(f), data[f])}
            saved = incident_update(incident=obj, actor=request.user, **changes)
            new = {i.pk for i in data.get("invoices", [])} - set(obj.invoices.values_list("pk", flat=True))
            if new:
                incident_attach_invoices(incident=saved, invoice_ids=sorted(new), actor=request.user)
        else:
            saved = incident_open(actor=request.user, invoices=data.get("invoices", []),
                                  **{f: data.get(f) for f in self.ADD_FIELDS if f != "invoices"})
        obj.pk, obj.reference = saved.pk, saved.reference

    def _back_on_the_desk(self, request, obj, response):
        """保存 lands on the incident's desk, where the work goes on, not on the list (保存并新增 still adds)."""
        if response.status_code == 302 and not {"_addanother", "_saveasnew", "_popup"} & set(request.POST):
            return redirect(reverse("admin:incidents_incident_change", args=[obj.pk]))
        return response

    def response_change(self, request, obj):
        return self._back_on_the_desk(request, obj, super().response_change(request, obj))

    def response_add(self, request, obj, post_url_continue=None):
        return self._back_on_the_desk(request, obj, super().response_add(request, obj, post_url_continue))

    def save_related(self, request, form, formsets, change):
        # Invoices were attached by the services in save_model (no form.save_m2m); the page has no inlines.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("dashboard/", view(self.dashboard), name="incidents_dashboard"),
            path("<int:pk>/transition/", view(self.transition_view), name="incidents_incident_transition"),
            path("<int:pk>/review/", view(self.review_view), name="incidents_incident_review"),
            path("<int:pk>/note/", view(self.note_view), name="incidents_incident_note"),
            path("<int:pk>/notify/", view(self.notify_view), name="incidents_incident_notify"),
            path("<int:pk>/steps/<int:step>/", view(self.step_view), name="incidents_incident_step"),
            path("<int:pk>/timeline/", view(self.timeline_view), name="incidents_incident_timeline"),
            path("<int:pk>/claim/", view(self.claim_view), name="incidents_incident_claim"),
            path("<int:pk>/merge/", view(self.merge_view), name="incidents_incident_merge"),
            path("<int:pk>/state/", view(self.state_view), name="incidents_incident_state"),
        ] + super().get_urls()

    def dashboard(self, request):
        return dashboard_view(self, request)

    def _get(self, request, pk, *, work=True):
        incident = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_view_permission(request, incident):
            raise PermissionDenied
        if work and not can_work_incident(request.user, incident):
            raise PermissionDenied
        return incident, reverse("admin:incidents_incident_change", args=[pk])

    def timeline_view(self, request, pk):
        """The whole timeline, paginated: whoever may read the incident page (team scoping included) and its
        timeline (view_incidentevent, as the table on that page)."""
        if not (self.has_view_permission(request) and IncidentTimelineTable().has_view_permission(request)):
            raise PermissionDenied
        incident, back = self._get(request, pk, work=False)  # another team's incident: 404
        return timeline_view(self, request, incident, back)

    def transition_view(self, request, pk):
        incident, back = self._get(request, pk)
        form = TransitionForm(request.POST or None, current=incident.status, initial={
            "status": request.GET.get("to"), "root_cause": incident.root_cause, "resolution": incident.resolution,
            "root_cause_category": incident.root_cause_category_id})
        return action_view(self, request, obj=incident, form=form, title=_("Change status"), back_url=back,
                           success=_("Status changed."), perform=lambda d: incident_transition(
                               incident=incident, to=d["status"], actor=request.user, note=d["note"],
                               root_cause=d["root_cause"], resolution=d["resolution"],
                               root_cause_category=d["root_cause_category"]))

    @method_decorator(require_POST)
    def claim_view(self, request, pk):
        """领取 from the desk or the shared queue's list: the incident becomes the user's."""
        incident, back = self._get(request, pk)
        try:
            incident_claim(incident=incident, actor=request.user)
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(request, gettext("%(ref)s is yours now.") % {"ref": incident.reference},
                              messages.SUCCESS)
        return redirect(back)

    def merge_view(self, request, pk):
        """合并: this incident is a duplicate of another, which takes over its invoices, communications and
        follow-ups; the user lands on the incident that carries on."""
        incident, back = self._get(request, pk)
        into = request.GET.get("into", "")
        initial = {}
        if into.isdigit():
            target = self.get_queryset(request).filter(pk=into).first()
            initial["into"] = target.reference if target else ""
        form = MergeForm(request.POST or None, initial=initial)
        outcome = {}

        def perform(data):
            outcome["into"] = incident_merge(duplicate=incident, into=data["into"], actor=request.user,
                                             note=data["note"])

        response = action_view(self, request, obj=incident, form=form, title=_("Merge as a duplicate"),
                               back_url=back, success=_("Merged; this is the incident that carries on."),
                               intro=_("This incident is closed as a duplicate of the one you name; its invoices, "
                                       "communications and follow-ups move there."),
                               submit=_("Merge"), perform=perform)
        if "into" in outcome:
            return redirect(reverse("admin:incidents_incident_change", args=[outcome["into"].pk]))
        return response

    def state_view(self, request, pk):
        """The desk's fingerprint, polled by the page to offer a refresh after a background change."""
        incident, _back = self._get(request, pk, work=False)
        return JsonResponse({"state": incident_state(incident), "status": incident.get_status_display()})

    def review_view(self, request, pk):
        incident, back = self._get(request, pk, work=False)
        if not request.user.has_perm("incidents.review_incident"):
            raise PermissionDenied
        return action_view(self, request, obj=incident, form=ReviewForm(request.POST or None),
                           title=_("Review incident"), back_url=back, success=_("Review recorded."),
                           intro=f"{_('root cause')}: {incident.root_cause}\n{_('resolution')}: {incident.resolution}",
                           perform=lambda d: incident_review(incident=incident, actor=request.user,
                                                             approve=d["decision"] == "approve", comment=d["comment"]))

    def note_view(self, request, pk):
        incident, back = self._get(request, pk, work=False)
        return action_view(self, request, obj=incident, form=NoteForm(request.POST or None), title=_("Add note"),
                           back_url=back, success=_("Note added."), perform=lambda d: incident_note_add(
                               incident=incident, actor=request.user, message=d["message"], at=d["at"]))

    def notify_view(self, request, pk):
        """Pick a template, read the rendered email for every affected customer, then send."""
        incident, back = self._get(request, pk)
        form = NotifyForm(request.POST or None)
        if request.method == "POST" and form.is_valid() and not form.cleaned_data["confirmed"]:
            previews = notify_preview(incident=incident, template=form.cleaned_data["template"], actor=request.user)
            confirm = NotifyForm(initial={"template": form.cleaned_data["template"], "confirmed": True})
            confirm.fields["template"].widget = forms.HiddenInput()
            context = {**self.admin_site.each_context(request), "title": _("Notify all affected customers"),
                       "subtitle": str(incident), "opts": self.model._meta, "original": incident, "back_url": back,
                       "form": confirm, "previews": previews}
            return TemplateResponse(request, "admin/incidents/incident/notify_preview.html", context)
        return action_view(self, request, obj=incident, form=form, title=_("Notify all affected customers"),
                           back_url=back, success=_("Customers notified; follow-ups created."),
                           intro=_("Choose a template; you will read the email before it is sent."),
                           submit=_("Preview"),
                           perform=lambda d: incident_notify_customers(incident=incident, template=d["template"],
                                                                       actor=request.user))

    def step_view(self, request, pk, step):
        incident, back = self._get(request, pk)
        step_obj = get_object_or_404(IncidentStep, pk=step, incident=incident)
        if request.GET.get("skip"):
            return action_view(self, request, obj=incident, form=SkipStepForm(request.POST or None),
                               title=_("Skip step"), back_url=back, success=_("Step skipped."), intro=str(step_obj),
                               perform=lambda d: incident_step_skip(step=step_obj, actor=request.user,
                                                                    reason=d["reason"]))
        if step_obj.records_prevention:
            form = PreventionStepForm(request.POST or None, users=staff_users())
        else:
            form = StepForm(request.POST or None)
        return action_view(self, request, obj=incident, form=form,
                           title=_("Mark step done"), back_url=back, success=_("Step done."), intro=str(step_obj),
                           perform=lambda d: incident_step_done(step=step_obj, actor=request.user, **d))

    @admin.display(description=_("customer satisfaction"))
    def satisfaction_display(self, obj):
        answer = getattr(obj, "satisfaction", None)
        if answer is None:
            return gettext("no answer yet")
        solved = gettext("solved") if answer.solved else gettext("not solved")
        return f"{'★' * answer.rating}{'☆' * (5 - answer.rating)} {answer.rating}/5 · {solved}" + (
            f" · {answer.comment}" if answer.comment else "")

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return guarded_changeform(self, super().changeform_view, request, object_id, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {"can_review": request.user.has_perm("incidents.review_incident"),
                 "can_note": request.user.has_perm("incidents.add_incidentevent")}
        incident = self.get_object(request, object_id)
        if incident is not None:
            extra["desk"] = incident_desk(request, incident)
            extra["show_save_and_add_another"] = False  # a desk is about this incident; 新建事件 is on the list
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def changelist_view(self, request, extra_context=None):
        # The work list fits 1440 px with its filters: the model menu (every page has 首页 and the home page) gives
        # way, so 严重程度 and 创建时间 stay in view without a horizontal scroll.
        extra = {"can_dashboard": request.user.has_perm("incidents.review_incident"),
                 "phone_columns": self.PHONE_COLUMNS, "is_nav_sidebar_enabled": False}
        return super().changelist_view(request, {**extra, **(extra_context or {})})


@admin.register(IncidentEvent)
class IncidentEventAdmin(ReadOnlyAdminMixin, FastChangeListMixin, admin.ModelAdmin):
    """Read-only: the timeline is written by services and never edited."""

    list_display = ["at", "incident", "kind", "actor", "message_short"]
    list_filter = ["kind"]
    list_select_related = ["incident", "actor"]
    raw_id_fields = ["incident"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def get_queryset(self, request):
        # A rep reads the events of the incidents they see (their teams' and the shared queue), as on the incident.
        return visible_incident_events(request.user, super().get_queryset(request))

    @admin.display(description=_("message"))
    def message_short(self, obj):
        return Truncator(obj.text).chars(120)  # the list shows the start; the event's page all of it

    @admin.display(description=_("message"))
    def text(self, obj):
        return obj.text

    def get_fields(self, request, obj=None):
        # The text as the reader reads it, not the code and parameters it is rendered from.
        hidden = {"id", "message", "message_code", "params"}
        return [f.name for f in IncidentEvent._meta.fields if f.name not in hidden] + ["text"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

