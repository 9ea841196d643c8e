from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The kernel below every app: roles, permissions, history, append-only events, the job spine, bulk insert,
    the fast admin list and tables, API error mapping. It imports no other app of the project; each app's `jobs`
    module registers its handlers with the spine here."""

    name = "core"
    verbose_name = _("Kernel")

    def ready(self):
        autodiscover_modules("jobs")
