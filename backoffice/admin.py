"""The user admin, extended with the account services: deactivate (revokes the API token) and revoke token."""
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from rest_framework.authtoken.models import Token

from backoffice.accounts import token_revoke, user_deactivate

User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = (*DjangoUserAdmin.list_display, "is_active", "has_api_token")
    actions = ["deactivate_users", "revoke_api_tokens"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_has_token=Exists(Token.objects.filter(user=OuterRef("pk"))))

    @admin.display(description=_("API token"), boolean=True, ordering="_has_token")
    def has_api_token(self, obj):
        return obj._has_token

    def has_revoke_token_permission(self, request):
        # Only superusers may cut off someone else's API access.
        return request.user.is_superuser

    @admin.action(description=_("Deactivate selected users and revoke their API tokens"), permissions=["change"])
    def deactivate_users(self, request, queryset):
        done = 0
        for user in queryset.order_by("pk"):
            if user.pk == request.user.pk:
                self.message_user(request, _("You cannot deactivate your own account."), messages.ERROR)
                continue
            user_deactivate(user=user, actor=request.user)
            done += 1
        if done:
            self.message_user(
                request,
                ngettext("Deactivated %(n)d user.", "Deactivated %(n)d users.", done) % {"n": done},
                messages.SUCCESS,
            )

    @admin.action(description=_("Revoke API tokens of selected users"), permissions=["revoke_token"])
    def revoke_api_tokens(self, request, queryset):
        revoked = sum(token_revoke(user=user, actor=request.user) for user in queryset.order_by("pk"))
        self.message_user(
            request,
            ngettext("Revoked %(n)d API token.", "Revoked %(n)d API tokens.", revoked) % {"n": revoked},
            messages.SUCCESS,
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # Unticking "active" on the change form is a deactivation too: the token must go with it.
        if change and "is_active" in form.changed_data and not obj.is_active:
            user_deactivate(user=obj, actor=request.user)
