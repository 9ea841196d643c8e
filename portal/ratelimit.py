"""Fixed-window counters in the cache, per client address and per invoice number (settings PORTAL_RATE_LIMITS).

With several web processes the cache must be shared (Redis, see CACHES in backoffice/conf/caches.py) for the limits to hold."""
import hashlib

from django.conf import settings
from django.core.cache import cache

DEFAULTS = {
    "lookup_address": (10, 600),   # lookups per client address per 10 minutes
    "lookup_address_number": (5, 600),  # wrong lookups of one invoice number per address per 10 minutes
    "lookup_number": (20, 600),    # wrong lookups of one invoice number per 10 minutes, from anywhere
    "appeal_address": (5, 3600),
    "message_address": (10, 3600),
    "survey_address": (20, 3600),
}


def limit(name):
    return getattr(settings, "PORTAL_RATE_LIMITS", {}).get(name, DEFAULTS[name])


def over_limit(name, key):
    """Count one hit of `key` under rule `name`; True when the rule's budget for the window is spent."""
    allowed, window = limit(name)
    digest = hashlib.sha256(str(key).encode()).hexdigest()[:32]
    cache_key = f"portal:rl:{name}:{digest}"
    cache.add(cache_key, 0, timeout=window)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window)
        count = 1
    return count > allowed
