"""API permissions that mirror the admin's: reading needs view_*, writing needs add_/change_, and
workflow actions name their own permission."""
from rest_framework.permissions import BasePermission, DjangoModelPermissions


class ModelPermissions(DjangoModelPermissions):
    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }


def require(*perms):
    """A permission class for an action: the user needs every named permission."""

    class _Required(BasePermission):
        def has_permission(self, request, view):
            user = request.user
            return bool(user and user.is_authenticated and user.is_active and user.has_perms(perms))

    _Required.__name__ = "Requires_" + "_".join(p.replace(".", "_") for p in perms)
    return _Required
