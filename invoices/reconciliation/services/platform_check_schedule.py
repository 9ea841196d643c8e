"""The scheduled platform checks: every seller's recent days, hourly, and a longer stretch nightly."""
from datetime import timedelta

from django.utils import timezone

from invoices.ledger.models import Seller
from invoices.platform.models import PlatformHealth
from invoices.reconciliation.models import CheckOrigin
from invoices.reconciliation.services.platform_check import (
    CheckAlreadyActive,
    active_check_exists,
    platform_check_start,
    platform_checks_expire,
)


def platform_down():
    """Whether the platform is down: the sync marked it unavailable and it has not answered since (the fault the
    open platform_outage incident holds, until its recovery is recorded). A check then could only fail."""
    health = PlatformHealth.objects.filter(pk=1).first()
    return health is not None and not health.available


def platform_checks_queue(*, days, today=None):
    """Queue a check of the last `days` days (today included) for every seller; returns what was done."""
    platform_checks_expire()
    if platform_down():
        return "skipped: the platform is down"
    today = today or timezone.localdate()
    first = today - timedelta(days=max(int(days), 1) - 1)
    queued = skipped = 0
    # A list, not a server-side cursor: queuing a check commits, which would close the cursor on PostgreSQL.
    for seller in list(Seller.objects.order_by("id")):
        if active_check_exists(seller.pk, first, today):
            skipped += 1
            continue
        try:
            platform_check_start(seller=seller, issued_from=first, issued_to=today, origin=CheckOrigin.SCHEDULE)
        except CheckAlreadyActive:
            skipped += 1
            continue
        queued += 1
    return f"queued {queued}, already running {skipped}"
