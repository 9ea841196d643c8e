from django.contrib import admin


class ReadOnlyLogInline(admin.TabularInline):
    """A log shown on its parent's page, newest first: nothing to add, change or delete there."""

    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
