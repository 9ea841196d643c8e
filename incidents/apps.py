from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incidents")

    def ready(self):
        from . import event_texts, receivers  # noqa: F401  event_texts registers the timeline's texts

        receivers.connect()
