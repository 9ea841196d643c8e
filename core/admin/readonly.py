"""Records that only services write (requests, forms, runs, discrepancies, events, what the platform holds) are
shown in the admin and never added, changed or deleted there. A screen that starts one (an upload form, say)
opens has_add_permission again with its own rule."""


class ReadOnlyAdminMixin:
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
