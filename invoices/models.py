"""Django looks for an app's models here: importing each subdomain's models registers them in the one
`invoices` app (labels and tables unchanged). Code imports models from their subdomain, never from here."""
import invoices.files.models  # noqa: F401
import invoices.ledger.imports.models  # noqa: F401
import invoices.ledger.models  # noqa: F401
import invoices.platform.models  # noqa: F401
import invoices.reconciliation.models  # noqa: F401
import invoices.reissue.models  # noqa: F401
