"""The admin's History pages, read-only.

SimpleHistoryAdmin with SIMPLE_HISTORY_REVERT_DISABLED only hides the Revert button: a POST to a past
version's page still saves it over the record, bypassing the services. Here that page answers GET only.
An id or a version that is not one of its table's keys ("abc", a number past the column's range) is a 404 there,
where SimpleHistoryAdmin let ValueError (or the database's overflow) out."""
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin


def _ensure_valid_pk(model, object_id):
    field = model._meta.pk
    try:
        value = field.to_python(unquote(object_id))
        # An integer key's validators hold the column's range: 10**30 would overflow the query, not miss.
        field.run_validators(value)
    except (ValidationError, ValueError, TypeError) as exc:
        raise Http404(_("%(id)s is not a valid id.") % {"id": object_id}) from exc


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    def history_view(self, request, object_id, extra_context=None):
        _ensure_valid_pk(self.model, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        _ensure_valid_pk(self.model, object_id)
        history = getattr(self.model, self.model._meta.simple_history_manager_attribute).model
        _ensure_valid_pk(history, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)
