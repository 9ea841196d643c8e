"""Read-only tables on a change page (an invoice's lines, sync attempts and events; an incident's timeline),
rendered from one values() query instead of a read-only inline formset.

A read-only inline builds a form per row and renders every cell through AdminReadonlyField and the widget
templates: on the incident page with a 200-event timeline that was 600 ms of a 610 ms page (issue 7's bench).
Nothing on these tables is editable, so a formset buys nothing. A table can also be bounded (`limit`): the page
shows the newest rows and links to the whole log (`more_url`)."""
from django.contrib.admin.utils import label_for_field
from django.db import models
from django.utils.safestring import SafeString
from django.utils.html import escape
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.admin.formats import field_formatter
from core.event_texts import render_values


class ReadOnlyTable:
    model = None
    fk_name = None          # the foreign key to the page's object
    fields = ()             # model field names, or names of methods of the table (row dict -> safe HTML)
    extra_values = ()       # values() keys the methods read besides the fields
    ordering = ()
    related_labels = {}     # a foreign key's column shows this values() path (e.g. {"actor": "actor__username"})
    limit = None            # show at most this many rows (the first ones in `ordering`)
    verbose_name_plural = None
    more_label = None       # the link's text when `limit` cuts the table

    def has_view_permission(self, request):
        """What an inline asked: the related model's view or change permission."""
        opts = self.model._meta
        return any(request.user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")
                   for action in ("view", "change"))

    def queryset(self, parent):
        return self.model._default_manager.filter(**{self.fk_name: parent}).order_by(*self.ordering)

    def more_url(self, parent):
        """Where the whole log is read when `limit` cuts it."""
        return None

    def columns(self, empty):
        """(name, header, values() key or None, row -> html) per column; worked out once per page."""
        columns = []
        for name in self.fields:
            method = getattr(self, name, None)
            if callable(method):
                columns.append((name, capfirst(getattr(method, "short_description", "")), None, method))
                continue
            field = self.model._meta.get_field(name)
            header = capfirst(label_for_field(name, self.model))
            key = self.related_labels.get(name, field.attname)
            formatter = field_formatter(models.CharField() if name in self.related_labels else field, empty)
            if isinstance(field, models.TextField):  # notes are written in lines; keep them
                formatter = _lines(formatter)
            columns.append((name, header, key, lambda row, key=key, formatter=formatter: formatter(row[key])))
        return columns

    def values(self, queryset, columns):
        """The queryset as the values() rows the columns read."""
        return queryset.values(*[key for _n, _h, key, _f in columns if key], *self.extra_values)

    def context(self, columns, rows, **extra):
        """What templates/admin/includes/readonly_tables.html reads for one table."""
        return {
            "id": f"{self.model._meta.model_name}-table",
            "title": capfirst(self.verbose_name_plural or self.model._meta.verbose_name_plural),
            "headers": [(name, header) for name, header, _k, _f in columns],
            "rows": [[SafeString(html(row)) for _n, _h, _k, html in columns] for row in rows],
            "more_label": self.more_label,
            **extra,
        }

    def build(self, request, parent, empty="-"):
        columns = self.columns(empty)
        queryset = self.values(self.queryset(parent), columns)
        if self.limit is None:
            return self.context(columns, list(queryset))
        rows = list(queryset[: self.limit + 1])
        if len(rows) <= self.limit:
            return self.context(columns, rows)
        # Cut: say how much is left out and where to read it all.
        return self.context(columns, rows[: self.limit], shown=self.limit, total=self.queryset(parent).count(),
                            more_url=self.more_url(parent))


class EventTextColumn:
    """The `text` column of an events table (an invoice's events, an incident's timeline): what happened, rendered
    in the reader's language from the row's code and parameters (core/event_texts.py), or its stored message."""

    extra_values = ("message", "message_code", "params")
    kinds = None  # the model's kind choices: a row whose code no longer renders shows at least its kind

    def text(self, row):
        kind_label = dict(self.kinds.choices).get(row.get("kind"), "") if self.kinds is not None else ""
        text = render_values(message_code=row.get("message_code"), params=row.get("params"),
                             message=row.get("message") or "", kind_label=kind_label)
        return _lines(escape)(text)
    text.short_description = _("message")


def _lines(formatter):
    """Escaped text with its line breaks shown, as the read-only inline showed notes."""
    def html(value):
        return formatter(value).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")
    return html


class ReadOnlyTablesMixin:
    """ModelAdmin mixin: `readonly_tables` appear on the change page after the inlines
    (templates/admin/includes/readonly_tables.html, included by the model's change_form.html)."""

    readonly_tables = ()

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            empty = self.get_empty_value_display()
            context["readonly_tables"] = [table.build(request, obj, empty) for table in
                                          (cls() for cls in self.readonly_tables) if table.has_view_permission(request)]
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

