"""Finance's work queues for the home page (backoffice/home.py): indexed filters, each repeated by the link to
its changelist, so the count on the home page is the length of the list it opens."""
from datetime import timedelta

from django.conf import settings

from invoices.ledger.models import Invoice, SyncStatus
from invoices.platform.models import CreditReading
from invoices.reconciliation.models import Discrepancy, ReconciliationRun, Resolution, RunStatus
from invoices.reissue.models import ReissueRequest, ReissueStatus
from invoices.reissue.selectors import (  # noqa: F401 (the home page reads them here with the rest)
    buyer_forms_to_agree,
    buyer_forms_to_answer,
    forms_waiting_for_buyer,
)


def pending_since(now):
    """Invoices issued before this and still pending have waited too long for the platform."""
    return now - timedelta(minutes=settings.HOME_PENDING_TOO_LONG_MINUTES)


def invoices_in_sync_state(state):
    return Invoice.objects.filter(sync_status=state)


def invoices_pending_too_long(now):
    return Invoice.objects.filter(sync_status=SyncStatus.PENDING, issued_at__lt=pending_since(now))


def reissues_awaiting_approval_by(user):
    """Requests someone else made: nobody approves their own (the database refuses it too)."""
    return ReissueRequest.objects.filter(status=ReissueStatus.REQUESTED).exclude(requested_by=user)


def my_failed_reissues(user):
    return ReissueRequest.objects.filter(status=ReissueStatus.FAILED, requested_by=user)


def reconciliation_runs_in_progress():
    return ReconciliationRun.objects.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING])


def reconciliation_runs_failed():
    return ReconciliationRun.objects.filter(status=RunStatus.FAILED)


def open_discrepancies():
    return Discrepancy.objects.filter(resolution=Resolution.OPEN)


def lapsed_reissues(user):
    return ReissueRequest.objects.filter(status=ReissueStatus.LAPSED, requested_by=user)


def credit_readings_low():
    """Sellers whose latest credit reading (invoices/platform/services/credit.py) is below the warning share, least
    credit left first: the readings' changelist filtered on `low` lists the same rows."""
    return CreditReading.objects.filter(low=True).select_related("seller").order_by("remaining", "id")
