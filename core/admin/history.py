"""The admin's History pages, read-only.

SimpleHistoryAdmin with SIMPLE_HISTORY_REVERT_DISABLED only hides the Revert button: a POST to a past
version's page still saves it over the record, bypassing the services. Here that page answers GET only."""
from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin


class ReadOnlyHistoryAdmin(SimpleHistoryAdmin):
    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
