"""Every job of the invoice side, registered with the spine (core/jobs) by importing each subdomain's module."""
from invoices.files import jobs as files_jobs  # noqa: F401
from invoices.ledger.imports import jobs as import_jobs  # noqa: F401
from invoices.platform import jobs as platform_jobs  # noqa: F401
from invoices.reconciliation import jobs as reconciliation_jobs  # noqa: F401
from invoices.reissue import jobs as reissue_jobs  # noqa: F401
