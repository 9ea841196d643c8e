"""Turn domain ValidationErrors and integrity races into 400/409 answers that name the field and rule."""
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(Exception):
    """A request that is well-formed but clashes with the current state (e.g. a second open request)."""

    def __init__(self, detail):
        super().__init__(detail)
        self.detail = detail


def validation_error_body(exc):
    if hasattr(exc, "error_dict"):
        return {field: [str(m) for err in errors for m in err.messages] for field, errors in exc.error_dict.items()}
    return {"non_field_errors": [str(m) for m in exc.messages]}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        return Response(validation_error_body(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Conflict):
        return Response({"detail": exc.detail}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoPermissionDenied):
        return Response({"detail": str(exc) or _("You do not have permission.")}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, IntegrityError):
        # A race the service's own checks could not see (two requests at once); the DB refused one.
        return Response(
            {"detail": _("This change conflicts with another one made at the same time; reload and retry.")},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)
