from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The kernel below every app: roles, permissions, history, append-only events, bulk insert, the fast admin
    list and tables, API error mapping. An app so that its template tags and translations are found; it has
    no models and imports no other app of the project."""

    name = "core"
    verbose_name = _("Kernel")
