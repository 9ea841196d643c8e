"""Token login (throttled by django-axes) and token revocation for the API."""
from axes.helpers import get_lockout_message
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from backoffice.accounts import token_revoke
from backoffice.tokens import token_expired


class TokenLoginView(ObtainAuthToken):
    """POST username + password, get the caller's token.

    DRF's serializer passes the request to authenticate(), so axes counts failures here exactly as on the
    admin login page. A locked-out caller gets axes' status (429) and message instead of the generic 400.
    """

    permission_classes = [AllowAny]
    # ObtainAuthToken names its own parsers (DRF's JSONParser among them); take the project's, depth-limited.
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES
    # Whatever token the client still sends (an expired one, typically) must not stand in the way of logging in.
    authentication_classes = []

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except ValidationError:
            # axes flags the request it was handed, which is DRF's wrapper, not the Django request.
            if getattr(request, "axes_locked_out", False):
                return Response({"detail": get_lockout_message()}, status=settings.AXES_HTTP_RESPONSE_CODE)
            raise
        user = serializer.validated_data["user"]
        # A token login is a login: this signal resets axes' failure count and stamps last_login, as
        # django.contrib.auth.login() does for the admin (which the API cannot call without a session).
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        token, _created = Token.objects.get_or_create(user=user)
        if token_expired(token):  # a login after the lifetime gets a fresh token, not the dead one
            token.delete()
            token = Token.objects.create(user=user)
        return Response({"token": token.key})


class TokenRevokeView(APIView):
    """Delete the caller's own token; answers 204 whether or not one existed."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        token_revoke(user=request.user, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
