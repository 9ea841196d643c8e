"""Account services: deactivating users and revoking API tokens, each with an audit row in the admin log."""
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token


def _log(*, actor, user, message):
    # The admin's LogEntry is the audit trail for accounts (the user's History page); written in the actor's language.
    LogEntry.objects.log_actions(
        user_id=actor.pk, queryset=[user], action_flag=CHANGE, change_message=message, single_object=True
    )


def _locked_user(user):
    return get_user_model().objects.select_for_update().get(pk=user.pk)


@transaction.atomic
def token_revoke(*, user, actor):
    """Delete the user's API token; the next request with it gets 401. Returns whether there was one."""
    user = _locked_user(user)
    deleted, _by_model = Token.objects.filter(user=user).delete()
    if deleted:
        _log(actor=actor, user=user, message=_("API token revoked."))
    return bool(deleted)


@transaction.atomic
def user_deactivate(*, user, actor):
    """Switch the account off and revoke its token in one transaction, so no request slips in between.

    Sessions need nothing: Django's ModelBackend refuses an inactive user on every request.
    """
    user = _locked_user(user)
    Token.objects.filter(user=user).delete()
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    _log(actor=actor, user=user, message=_("Deactivated; API token revoked."))
    return user
