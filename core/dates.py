"""Sane ranges for dates people type: a year-1 note or a follow-up due in 9999 is a typo, not a plan."""
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

# Nothing this back office records (invoices, contacts, notes) happened before 2000.
EARLIEST = datetime(2000, 1, 1)


def earliest():
    return timezone.make_aware(EARLIEST)


def not_before_2000_error(at):
    if at is not None and at < earliest():
        return _("%(d)s is before %(first)s.") % {"d": timezone.localtime(at).date().isoformat(),
                                                  "first": EARLIEST.date().isoformat()}
    return ""


def due_date_error(at, *, now=None):
    """Something to do: at most FOLLOWUP_MAX_DAYS_AHEAD days ahead (default about three years), and no more
    than as far back (a follow-up recorded late is still one to do)."""
    now = now or timezone.now()
    days = getattr(settings, "FOLLOWUP_MAX_DAYS_AHEAD", 3 * 366)
    first, last = max(now - timedelta(days=days), earliest()), now + timedelta(days=days)
    if at is not None and not first <= at <= last:
        return _("%(d)s is outside %(first)s to %(last)s.") % {
            "d": timezone.localtime(at).date().isoformat(), "first": timezone.localtime(first).date().isoformat(),
            "last": timezone.localtime(last).date().isoformat()}
    return ""
