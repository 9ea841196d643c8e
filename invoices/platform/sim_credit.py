"""The seller's credit limit (授信额度) on the simulated platform: what a month's issuing may add up to. Issuing or
receiving a blue invoice takes its amount (金额, before tax); a red invoice gives it back. Beyond the limit the
platform refuses with CREDIT_EXCEEDED."""
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from invoices.platform.gateway import PlatformRejected
from invoices.platform.models import PlatformCredit

DEFAULT_TOTAL = Decimal("100000000.00")


def _period(now=None):
    return timezone.localtime(now or timezone.now()).strftime("%Y-%m")


def _default_total():
    conf = getattr(settings, "TAX_PLATFORM_SIMULATOR", {}) or {}
    return Decimal(str(conf.get("credit_total") or DEFAULT_TOTAL))


def _row(seller_tax_id, lock=False):
    PlatformCredit.objects.get_or_create(seller_tax_id=seller_tax_id, defaults={
        "total": _default_total(), "period": _period()})
    rows = PlatformCredit.objects.select_for_update() if lock else PlatformCredit.objects
    row = rows.get(seller_tax_id=seller_tax_id)
    if row.period != _period():
        row.used, row.period = Decimal(0), _period()
        PlatformCredit.objects.filter(pk=row.pk).update(used=row.used, period=row.period)
    return row


def sim_credit(seller_tax_id):
    """{"total", "used", "remaining"} in yuan, as strings (the wire's form)."""
    with transaction.atomic():
        row = _row(seller_tax_id)
    return {"total": str(row.total), "used": str(row.used), "remaining": str(max(row.total - row.used, Decimal(0)))}


def sim_credit_take(payload):
    """Inside the storing transaction: charge the invoice's amount to its seller, or refuse it."""
    seller_tax_id = str(payload.get("seller_tax_id") or "")
    try:
        amount = Decimal(str(payload.get("amount")))
    except (InvalidOperation, TypeError):
        return
    if not seller_tax_id or not amount.is_finite():
        return
    row = _row(seller_tax_id, lock=True)
    if amount > 0 and row.used + amount > row.total:
        left = max(row.total - row.used, Decimal(0))
        raise PlatformRejected("CREDIT_EXCEEDED", f"发票额度不足：本月剩余授信额度 {left} 元，本张发票金额 {amount} 元")
    # A red invoice against last month's blue one gives back credit this month never took: used stays at 0 or more.
    PlatformCredit.objects.filter(pk=row.pk).update(used=max(row.used + amount, Decimal(0)))


def sim_credit_set(seller_tax_id, total):
    """The simulator's admin (and tests) set a seller's limit."""
    try:
        total = Decimal(str(total))
    except InvalidOperation:
        raise ValueError(f"credit limit must be a number of yuan, not {total!r}") from None
    if not total.is_finite() or total < 0:
        raise ValueError(f"credit limit must be zero or more yuan, not {total}")
    with transaction.atomic():
        row = _row(seller_tax_id, lock=True)
        PlatformCredit.objects.filter(pk=row.pk).update(total=total)
