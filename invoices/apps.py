from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicesConfig(AppConfig):
    name = "invoices"
    verbose_name = _("Invoices")

    def ready(self):
        import invoices.platform.receivers  # noqa: F401  connects the upload queue to the ledger's issue signal
