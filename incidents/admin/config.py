"""Reference data managers edit: playbooks, templates, the work calendar and SLA targets."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ..models import (
    CalendarDay,
    CommunicationTemplate,
    Playbook,
    PlaybookStep,
    RootCauseCategory,
    SlaTarget,
    Team,
    WorkCalendar,
)
from ..rendering import placeholder_help


class PlaybookStepInline(admin.TabularInline):
    model = PlaybookStep
    extra = 1
    fields = ["position", "title", "help_text", "records_prevention"]


@admin.register(Playbook)
class PlaybookAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "active"]
    list_filter = ["active"]
    inlines = [PlaybookStepInline]

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead; incidents keep their own copy of the steps


@admin.register(CommunicationTemplate)
class CommunicationTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "language", "purpose", "active"]
    list_filter = ["purpose", "language", "active"]
    search_fields = ["name", "code"]

    def get_form(self, request, obj=None, **kwargs):
        kwargs.setdefault("help_texts", {})["body"] = _("Placeholders: %(list)s") % {"list": placeholder_help()}
        return super().get_form(request, obj, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False  # sent communications refer to their template


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 3
    fields = ["date", "kind", "name"]


@admin.register(WorkCalendar)
class WorkCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "is_default", "day_start", "day_end", "working_weekdays"]
    inlines = [CalendarDayInline]


@admin.register(SlaTarget)
class SlaTargetAdmin(admin.ModelAdmin):
    list_display = ["severity", "response_hours", "resolution_hours"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    """Managers put reps into teams; a rep sees only their teams' incidents and follow-ups."""

    list_display = ["name"]
    search_fields = ["name"]
    filter_horizontal = ["members"]

    def has_delete_permission(self, request, obj=None):
        return False  # incidents keep pointing at their team


@admin.register(RootCauseCategory)
class RootCauseCategoryAdmin(admin.ModelAdmin):
    """The managed list resolving an incident chooses from; deactivate a category rather than delete it."""

    list_display = ["__str__", "code", "position", "active"]
    list_editable = ["position", "active"]
    list_filter = ["active"]

    def has_delete_permission(self, request, obj=None):
        return False  # resolved incidents keep pointing at their category
