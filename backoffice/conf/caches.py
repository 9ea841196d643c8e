"""Caches: in the process by default, Redis (REDIS_URL) when several processes must share them."""
from .environment import VAR_DIR
from .jobs import REDIS_URL

# "default" holds the portal's rate-limit counters (portal/ratelimit.py): use Redis when several web processes serve
# the portal. "progress" holds the counts of a running background import (invoices/ledger/imports/progress.py): the
# worker writes them, the web process reads them, so it is a cache both reach (files under var/, or Redis).
if REDIS_URL:
    CACHES = {name: {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                     "KEY_PREFIX": name} for name in ("default", "progress")}
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "progress": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                     "LOCATION": str(VAR_DIR / "cache" / "progress")},
    }
