"""The credit check: ask the platform for each seller's credit limit (授信额度), keep the latest reading per seller,
and warn finance once per low spell, so the limit is raised before issuing and uploads fail with CREDIT_EXCEEDED.

- A reading is low when the remaining credit is below settings.PLATFORM_CREDIT_WARN_SHARE of the limit (or nothing
  is left). A seller going low sends `platform_credit_low` (the incidents app emails finance) and stamps
  `warned_at`; later checks in the same low spell send nothing; a reading that is no longer low ends the spell.
- The platform is asked outside any transaction; each seller's reading is recorded in its own, locking that row.
  An unavailable platform stops the check with PlatformUnavailable, so the job spine retries it; readings already
  taken stay. A seller the platform refuses to answer about is skipped and counted."""
import logging
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from invoices import signals
from invoices.ledger.models import Seller
from invoices.ledger.money import money
from invoices.platform.gateway import PlatformRejected, get_gateway
from invoices.platform.models import CreditReading

log = logging.getLogger(__name__)


def warn_share():
    return Decimal(str(getattr(settings, "PLATFORM_CREDIT_WARN_SHARE", "0.10")))


def is_low(*, total, remaining, share=None):
    share = warn_share() if share is None else share
    return remaining <= 0 or remaining < total * share


def credit_check(*, now=None):
    """One pass over every seller. Returns counts for the job's result."""
    now = now or timezone.now()
    gateway = get_gateway()
    counts = {"checked": 0, "low": 0, "warned": 0, "refused": 0}
    for seller in Seller.objects.order_by("id").iterator():
        try:
            credit = gateway.credit(seller.tax_id)
        except PlatformRejected as exc:
            log.warning("credit of seller %s not read: %s", seller.tax_id, exc)
            counts["refused"] += 1
            continue
        reading, warned = credit_reading_record(seller_id=seller.pk, total=credit.total, used=credit.used,
                                                remaining=credit.remaining, now=now)
        counts["checked"] += 1
        counts["low"] += reading.low
        counts["warned"] += warned
    return counts


@transaction.atomic
def credit_reading_record(*, seller_id, total, used, remaining, now):
    """Store the platform's answer as the seller's reading; returns (reading, whether finance is warned now)."""
    total, used, remaining = money(total), money(used), money(remaining)
    CreditReading.objects.get_or_create(seller_id=seller_id, defaults={
        "total": total, "used": used, "remaining": remaining, "checked_at": now})
    reading = CreditReading.objects.select_for_update().get(seller_id=seller_id)
    reading.total, reading.used, reading.remaining, reading.checked_at = total, used, remaining, now
    reading.low = is_low(total=total, remaining=remaining)
    warn = reading.low and reading.warned_at is None
    if warn:
        reading.warned_at = now
    elif not reading.low:
        reading.warned_at = None  # the spell is over: the next one warns again
    reading.save()
    if warn:
        # In this transaction: the incidents app's receiver enqueues the email job in it.
        signals.platform_credit_low.send(sender=CreditReading, seller_id=seller_id, total=str(total),
                                         used=str(used), remaining=str(remaining), checked_at=now)
    return reading, warn
