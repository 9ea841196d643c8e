from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicesConfig(AppConfig):
    name = "invoices"
    verbose_name = _("Invoices")

    def ready(self):
        import invoices.platform.receivers  # noqa: F401  connects the upload queue to the ledger's issue signal
        # The event texts every subdomain writes (core/event_texts.py): registered before any event is shown.
        import invoices.files.event_texts  # noqa: F401
        import invoices.ledger.event_texts  # noqa: F401
        import invoices.platform.event_texts  # noqa: F401
        import invoices.reconciliation.event_texts  # noqa: F401
        import invoices.reissue.event_texts  # noqa: F401
