"""API tokens that expire, and that die with the password or the account that earned them.

A token is a password's stand-in: when the password changes (the admin's form, `changepassword`, a reset) or the
account is switched off, every token of the user is deleted, whichever code path saved the user."""
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models.signals import post_save, pre_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


def token_lifetime():
    return timedelta(days=getattr(settings, "API_TOKEN_LIFETIME_DAYS", 30))


def token_expired(token, *, now=None):
    return token.created <= (now or timezone.now()) - token_lifetime()


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing a token older than API_TOKEN_LIFETIME_DAYS with a 401 that says so."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            token.delete()
            raise AuthenticationFailed(_("Token expired: it is older than %(days)d days. Log in again for a new one.")
                                       % {"days": token_lifetime().days})
        return user, token


def _remember_old_credentials(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    old = sender.objects.filter(pk=instance.pk).values("password", "is_active").first()
    instance._token_revoking = bool(old) and (old["password"] != instance.password
                                              or (old["is_active"] and not instance.is_active))


def _revoke_tokens(sender, instance, raw=False, **kwargs):
    if not raw and getattr(instance, "_token_revoking", False):
        Token.objects.filter(user_id=instance.pk).delete()
        instance._token_revoking = False


def connect():
    user_model = get_user_model()
    pre_save.connect(_remember_old_credentials, sender=user_model, dispatch_uid="token_revoke_remember")
    post_save.connect(_revoke_tokens, sender=user_model, dispatch_uid="token_revoke_on_credentials")
