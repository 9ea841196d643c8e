"""The tax platform: which gateway, how long a call may take, the sync's retry policy, the simulator's failures and
when a seller's credit limit counts as running low."""
import os
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured

from .environment import env_bool, env_list
from .jobs import LEASE_SECONDS_DEFAULT

# "simulated" keeps the platform in local tables (nothing to install); "http" talks to TAX_PLATFORM_URL.
TAX_PLATFORM = os.environ.get("TAX_PLATFORM", "simulated")
TAX_PLATFORM_URL = os.environ.get("TAX_PLATFORM_URL", "")
TAX_PLATFORM_TOKEN = os.environ.get("TAX_PLATFORM_TOKEN", "")
# Both well under Q_CLUSTER["timeout"], so a hung platform fails the attempt instead of the task.
TAX_PLATFORM_CONNECT_TIMEOUT = float(os.environ.get("TAX_PLATFORM_CONNECT_TIMEOUT", "5"))
TAX_PLATFORM_READ_TIMEOUT = float(os.environ.get("TAX_PLATFORM_READ_TIMEOUT", "15"))
# Retry policy (see invoices/platform/services/sync_support.py SYNC_DEFAULTS for every key). Invoices that give up
# during an outage are re-queued automatically when the platform answers again, so a short budget loses
# nothing and lets staff watch an outage rehearsal turn invoices `failed` within a few minutes.
TAX_PLATFORM_SYNC = {
    "max_attempts": int(os.environ.get("TAX_PLATFORM_MAX_ATTEMPTS", "4")),
    "backoff_base": int(os.environ.get("TAX_PLATFORM_BACKOFF_BASE", "20")),
    "claim_ttl": int(os.environ.get("TAX_PLATFORM_CLAIM_TTL", LEASE_SECONDS_DEFAULT)),  # the per-invoice upload claim
    # A pending invoice whose task was lost (Redis broker, killed worker) is re-queued by the minute's sweep this
    # long after it was queued: recovery within stale_after + one sweep interval.
    "stale_after": int(os.environ.get("TAX_PLATFORM_STALE_AFTER", "120")),
}
# The simulated platform's failures, added to what staff set in the admin ("simulated platform settings").
TAX_PLATFORM_SIMULATOR = {
    "outage": env_bool("TAX_PLATFORM_SIM_OUTAGE", False),
    "failure_rate": float(os.environ.get("TAX_PLATFORM_SIM_FAILURE_RATE", "0")),
    "latency_ms": int(os.environ.get("TAX_PLATFORM_SIM_LATENCY_MS", "0")),
    "rejected_tax_ids": env_list("TAX_PLATFORM_SIM_REJECTED_TAX_IDS", []),
}
# The hourly credit check (invoices/platform/services/credit.py) warns finance, once per low spell, when a seller's
# remaining credit limit (授信额度) on the platform falls below this share of the limit.
def _share(name, default):
    text = os.environ.get(name) or default
    try:
        value = Decimal(text)
    except ArithmeticError:
        value = None
    if value is None or not value.is_finite() or not 0 < value < 1:
        raise ImproperlyConfigured(f"{name} must be a share between 0 and 1, such as 0.10 for 10 %, not {text!r}.")
    return value


PLATFORM_CREDIT_WARN_SHARE = _share("PLATFORM_CREDIT_WARN_SHARE", "0.10")
