"""Changelist rows rendered through per-column renderers compiled once per page.

Django's `items_for_result` redoes, for every cell of every row, work whose answer is the same for the whole page:
it looks the field up by name (an exception for every callable column), rebuilds the choices dict and translates
its lazy labels, resolves the locale's date and number formats, reverses the change URL, re-parses the preserved
filters, and renders the action checkbox through the form-widget template engine. On the big lists that was
0.4-0.9 ms a row (measured with `items_for_result` on 50-100 rows of the invoice, incident and follow-up lists),
most of an admin list page. Here each column is resolved once per page into a small function `row -> html`, and
the output is the same HTML, byte for byte (tests/core/test_admin_fastlist.py compares it with Django's own on every
shape the lists show).

Only the cases the lists use are compiled; anything else (an editable list, a popup, a field type without a fast
path) goes through Django's own code, so a new column can never render differently, only more slowly."""
import datetime
from html import (
    escape,  # what django.utils.html.escape calls, without its lazy-string check per call
)

from django.contrib.admin.options import ModelAdmin
from django.contrib.admin.templatetags.admin_list import (
    ResultList,
    _coerce_field_name,
    result_headers,
    result_hidden_fields,
)
from django.contrib.admin.templatetags.admin_list import (
    result_list as django_result_list,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_value,
    lookup_field,
)
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core.admin.formats import field_formatter

# Stands in for the primary key while the change URL is reversed once for the whole page.
PK_MARK = "0pk0mark0"


class FastChangeListMixin:
    """ModelAdmin mixin: the changelist's rows go through `fast_result_list` (same HTML, compiled columns)."""

    change_list_template = "admin/fast_change_list.html"


def fast_result_list(cl):
    """What Django's `result_list` inclusion tag returns, with the rows rendered by compiled columns."""
    if cl.formset or cl.is_popup:
        return django_result_list(cl)
    headers = list(result_headers(cl))
    render_row = compile_row(cl)
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": [ResultList(None, render_row(row)) for row in cl.result_list],
    }


def compile_row(cl):
    """A function row -> list of cell HTML strings, equal to list(items_for_result(cl, row, None))."""
    model_admin = cl.model_admin
    empty = model_admin.get_empty_value_display()
    link_cell = _link_wrapper(cl)
    cells, first = [], True
    for index, name in enumerate(cl.list_display):
        linked = _link_in_col(first, name, cl)
        value_html, classes = _compile_column(cl, name, index, empty, avoid_link=linked)
        if linked:
            cells.append(link_cell(value_html, classes, "th" if first else "td"))
            first = False
        else:
            cells.append(_plain_cell(value_html, classes))
    return lambda row: [cell(row) for cell in cells]


class Dated(str):
    """A computed cell's HTML whose value was a date or time: items_for_result adds "nowrap" to that cell only."""


def _link_in_col(is_first, field_name, cl):
    if cl.list_display_links is None:
        return False
    if is_first and not cl.list_display_links:
        return True
    return field_name in cl.list_display_links


def _opening(tag, classes):
    """The opening tag, and the one for a row whose computed value was a date (items_for_result adds "nowrap")."""
    return f'<{tag} class="{" ".join(classes)}">', f'<{tag} class="{" ".join(classes + ["nowrap"])}">'


def _plain_cell(value_html, classes):
    head, dated_head = _opening("td", classes)

    def cell(row):
        html = value_html(row)
        return SafeString(f"{dated_head if type(html) is Dated else head}{html}</td>")
    return cell


def _link_wrapper(cl):
    """Cells linking to the row's change page: the URL is reversed once, the pk put in per row."""
    pk_attname = cl.lookup_opts.pk.attname
    try:
        url = reverse(f"admin:{cl.opts.app_label}_{cl.opts.model_name}_change", args=(PK_MARK,),
                      current_app=cl.model_admin.admin_site.name)
    except NoReverseMatch:
        url = None
    else:
        url = add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url)
        before, mark, after = escape(url).partition(PK_MARK)
        # An integer pk reads the same through admin's quote(), reverse() and escape(); anything else, and a URL
        # that did not keep the mark as it was, is left to Django for each row.
        if not mark or not isinstance(cl.lookup_opts.pk, (models.AutoField, models.BigAutoField,
                                                          models.IntegerField)):
            url = None

    def wrap(value_html, classes, tag):
        head, dated_head = _opening(tag, classes)

        def cell(row):
            html = value_html(row)
            opening = dated_head if type(html) is Dated else head
            if url is None:
                return SafeString(f"{opening}{_django_link(cl, row, html)}</{tag}>")
            return SafeString(f'{opening}<a href="{before}{getattr(row, pk_attname)}{after}">{html}</a></{tag}>')
        return cell

    return wrap


def _django_link(cl, row, text):
    try:
        url = cl.url_for_result(row)
    except NoReverseMatch:
        return text
    url = add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url)
    return f'<a href="{escape(url)}">{text}</a>'


def _compile_column(cl, name, index, empty, *, avoid_link):
    """(row -> escaped value HTML, css classes) for one list_display entry, as items_for_result would show it."""
    classes = [f"field-{_coerce_field_name(name, index)}"]
    try:
        field = _get_non_gfk_field(cl.lookup_opts, name)
    except (FieldDoesNotExist, FieldIsAForeignKeyColumnName, TypeError):
        field = None
    if field is None or field.auto_created:
        if name == "action_checkbox":
            classes = ["action-checkbox"]
            if type(cl.model_admin).action_checkbox is ModelAdmin.action_checkbox:
                return _checkbox(cl), classes
        return _computed(cl, name, empty, classes), classes
    if isinstance(field, (models.DateField, models.TimeField, models.ForeignKey)):
        classes.append("nowrap")
    if isinstance(field.remote_field, models.ManyToOneRel):
        return _related(name, empty), classes
    return _field(field, empty, avoid_link), classes


def _related(name, empty):
    empty_html = conditional_escape(empty)

    def html(row):
        try:
            obj = getattr(row, name)
        except ObjectDoesNotExist:
            return empty_html
        if obj is None:
            return empty_html
        return conditional_escape(obj) if hasattr(obj, "__html__") else escape(str(obj))
    return html


def _field(field, empty, avoid_link):
    """A concrete model field's value, shown through field_formatter."""
    name, formatter = field.name, field_formatter(field, empty, avoid_link)
    return lambda row: formatter(getattr(row, name))


def _checkbox(cl):
    """ModelAdmin.action_checkbox's widget, as CheckboxInput renders it, without the widget template engine."""
    label = _("Select this object for an action - {}")
    pk_attname = cl.lookup_opts.pk.attname
    return lambda row: SafeString(
        f'<input type="checkbox" name="_selected_action" value="{escape(str(getattr(row, pk_attname)))}" '
        f'class="action-select" aria-label="{label.format(escape(str(row)))}">'
    )


def _computed(cl, name, empty, classes):
    """Callables, ModelAdmin methods, model methods and properties: lookup_field's own branches, chosen once."""
    model_admin = cl.model_admin
    if callable(name):
        get = lambda row: (name, name(row))  # noqa: E731
    elif hasattr(model_admin, name) and name != "__str__":
        method = getattr(model_admin, name)
        get = lambda row: (method, method(row))  # noqa: E731
    elif "__" not in name.strip("_") and callable(getattr(cl.model, name, None)):
        # A model method (__str__ among them): lookup_field calls it and describes it by the class attribute.
        method = getattr(cl.model, name)
        get = lambda row: (method, getattr(row, name)())  # noqa: E731
    else:
        get = lambda row: lookup_field(name, row, model_admin)[1:]  # noqa: E731

    def html(row):
        try:
            attr, value = get(row)
        except ObjectDoesNotExist:
            return conditional_escape(empty)
        shown_empty = getattr(attr, "empty_value_display", empty)
        if isinstance(value, str) and value.strip() == "":
            value = ""
        boolean = getattr(attr, "boolean", False)
        if isinstance(attr, property) and hasattr(attr, "fget"):
            boolean = getattr(attr.fget, "boolean", False)
        html = conditional_escape(display_for_value(value, shown_empty, boolean))
        return Dated(html) if isinstance(value, (datetime.date, datetime.time)) else html
    return html
