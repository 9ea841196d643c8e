"""Read-only tables on the incident page (backoffice/admin_tables.py): the checklist, and the newest events of the
timeline, whose whole length is read on its own paginated page (every event with when it happened, when it was
recorded and who did it)."""
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin.tables import ReadOnlyTable

from ..models import IncidentEvent, IncidentStep

TIMELINE_ON_PAGE = 50    # newest events on the incident page: the recent history a rep reads before calling back
TIMELINE_PER_PAGE = 100  # events per page of the whole timeline


class IncidentChecklistTable(ReadOnlyTable):
    model = IncidentStep
    fk_name = "incident"
    fields = ["position", "title", "help_text", "done_at", "done_by", "tick"]
    extra_values = ["id", "incident_id"]
    related_labels = {"done_by": "done_by__username"}
    ordering = ["position", "id"]
    verbose_name_plural = _("checklist")

    def tick(self, row):
        if row["done_at"]:
            return "✔"
        url = reverse("admin:incidents_incident_step", args=[row["incident_id"], row["id"]])
        return format_html('<a class="button" href="{}">{}</a>', url, _("mark done"))
    tick.short_description = ""


class IncidentTimelineTable(ReadOnlyTable):
    model = IncidentEvent
    fk_name = "incident"
    fields = ["at", "kind", "actor", "message", "recorded_at"]
    related_labels = {"actor": "actor__username"}
    ordering = ["-at", "-id"]
    limit = TIMELINE_ON_PAGE
    verbose_name_plural = _("timeline (newest first)")
    more_label = _("Read the whole timeline")

    def more_url(self, parent):
        return reverse("admin:incidents_incident_timeline", args=[parent.pk])


def timeline_view(model_admin, request, incident, back_url):
    """Every event of `incident`, newest first or (?order=oldest) oldest first, TIMELINE_PER_PAGE a page (?p=).
    The caller has checked that the user may read the incident and its timeline."""
    table = IncidentTimelineTable()
    oldest_first = request.GET.get("order") == "oldest"
    queryset = table.queryset(incident)
    if oldest_first:
        queryset = queryset.order_by("at", "id")
    columns = table.columns(model_admin.get_empty_value_display())
    page = Paginator(table.values(queryset, columns), TIMELINE_PER_PAGE).get_page(request.GET.get("p"))
    title = _("timeline (oldest first)") if oldest_first else _("timeline (newest first)")
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Timeline"), "subtitle": str(incident), "opts": model_admin.model._meta, "original": incident,
        "back_url": back_url, "page": page, "oldest_first": oldest_first,
        "page_range": page.paginator.get_elided_page_range(page.number),
        "readonly_tables": [table.context(columns, list(page.object_list), title=title)],
    }
    return TemplateResponse(request, "admin/incidents/incident/timeline.html", context)
