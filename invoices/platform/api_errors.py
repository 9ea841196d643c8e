"""The platform's two failures as API answers, the same words the admin shows: unreachable is a 503 (nothing was
changed, try again), a refusal is a 409 with the platform's own message and code (the form or invoice is not in a
state the platform accepts; sending the same again cannot help)."""
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from invoices.platform.gateway import PlatformRejected, PlatformUnavailable

RETRY_AFTER_SECONDS = 120

PLATFORM_ERROR_RESPONSES = {
    409: OpenApiResponse(
        inline_serializer("PlatformRefusal", {"detail": serializers.CharField(),
                                              "platform_code": serializers.CharField(required=False)}),
        description="the request clashes with the current state, or the tax platform refused it (platform_code)"),
    503: OpenApiResponse(
        inline_serializer("PlatformUnavailableAnswer", {"detail": serializers.CharField()}),
        description="the tax platform cannot be reached; nothing was changed, try again in a few minutes"),
}


def platform_error_response(exc):
    """The answer for a PlatformUnavailable or PlatformRejected, or None for any other exception."""
    if isinstance(exc, PlatformUnavailable):
        set_rollback()
        return Response({"detail": _("The tax platform cannot be reached right now; nothing was changed. "
                                     "Try again in a few minutes.")},
                        status=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
    if isinstance(exc, PlatformRejected):
        set_rollback()
        return Response({"detail": _("The tax platform refused: %(e)s") % {"e": exc.message},
                         "platform_code": exc.code}, status=status.HTTP_409_CONFLICT)
    return None


class PlatformErrorAnswers:
    """Mixed into a view whose actions call the platform."""

    def handle_exception(self, exc):
        answer = platform_error_response(exc)
        if answer is not None:
            return answer
        return super().handle_exception(exc)
