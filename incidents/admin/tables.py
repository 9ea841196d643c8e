"""Read-only tables on the incident page (backoffice/admin_tables.py): the checklist, and the newest events of the
timeline, whose whole length is read on its own paginated page (every event with when it happened, when it was
recorded and who did it)."""
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from core.admin.tables import EventTextColumn, ReadOnlyTable
from invoices.ledger.models import InvoiceEventKind

from ..models import EventKind, IncidentEvent, IncidentStatus, IncidentStep
from ..selectors import incident_invoice_events

TIMELINE_ON_PAGE = 50    # newest events on the incident page: the recent history a rep reads before calling back
TIMELINE_PER_PAGE = 100  # events per page of the whole timeline
INVOICE_KIND = "invoice:"  # marks an invoice's event merged into the incident's timeline rows


class IncidentChecklistTable(ReadOnlyTable):
    model = IncidentStep
    fk_name = "incident"
    fields = ["position", "step", "how_to", "done_at", "done_by", "tick"]
    extra_values = ["id", "incident_id", "title", "help_text", "skip_reason", "incident__status"]
    related_labels = {"done_by": "done_by__username"}
    ordering = ["position", "id"]
    verbose_name_plural = _("checklist")

    def step(self, row):
        return escape(gettext(row["title"]))  # stored as the msgid of the default playbooks: shown translated
    step.short_description = _("step")

    def how_to(self, row):
        return escape(gettext(row["help_text"])) if row["help_text"] else ""
    how_to.short_description = _("how to")

    def tick(self, row):
        if row["skip_reason"]:
            return format_html("{}：{}", pgettext("checklist step", "skipped"), row["skip_reason"])
        if row["done_at"]:
            return "✔"
        if row["incident__status"] == IncidentStatus.CLOSED:
            return ""
        url = reverse("admin:incidents_incident_step", args=[row["incident_id"], row["id"]])
        return format_html('<a class="button" href="{}">{}</a> <a href="{}?skip=1">{}</a>', url, _("mark done"),
                           url, _("skip, with a reason"))
    tick.short_description = ""


class IncidentTimelineTable(EventTextColumn, ReadOnlyTable):
    model = IncidentEvent
    kinds = EventKind
    fk_name = "incident"
    fields = ["at", "kind", "actor", "text", "recorded_at"]
    related_labels = {"actor": "actor__username"}
    ordering = ["-at", "-id"]
    limit = TIMELINE_ON_PAGE
    verbose_name_plural = _("timeline (newest first)")
    more_label = _("Read the whole timeline")

    def more_url(self, parent):
        return reverse("admin:incidents_incident_timeline", args=[parent.pk])

    def columns(self, empty):
        """The kind column also names the kinds of the invoices' own events merged in by `build`."""
        columns = super().columns(empty)
        invoice_kinds = dict(InvoiceEventKind.choices)

        def with_invoice_kinds(html):
            def cell(row):
                kind = row.get("kind") or ""
                if kind.startswith(INVOICE_KIND):
                    return escape(gettext("invoice: %(kind)s") % {"kind": invoice_kinds.get(kind[len(INVOICE_KIND):], "")})
                return html(row)
            return cell
        return [(n, h, k, with_invoice_kinds(f) if n == "kind" else f) for n, h, k, f in columns]

    def build(self, request, parent, empty="-"):
        """The newest events of the incident and of its invoices (verify, re-sync, reissue), newest first."""
        columns = self.columns(empty)
        own = list(self.values(self.queryset(parent), columns)[: self.limit + 1])
        theirs = [{"at": e.at, "recorded_at": e.at, "kind": INVOICE_KIND + e.kind,
                   "actor__username": e.actor.username if e.actor else None,
                   "message_code": "", "params": {},
                   "message": f"{e.invoice.number}: {e.text}" if e.text else e.invoice.number}
                  for e in incident_invoice_events(parent, self.limit + 1)]
        rows = sorted(own + theirs, key=lambda r: r["at"], reverse=True)
        if len(own) <= self.limit and len(rows) <= self.limit:
            return self.context(columns, rows)
        total = self.queryset(parent).count() + len(theirs)
        return self.context(columns, rows[: self.limit], shown=self.limit, total=total, more_url=self.more_url(parent))


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
