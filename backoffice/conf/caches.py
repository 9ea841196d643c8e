"""Caches: Redis (REDIS_URL) when set; otherwise the database in production, where several processes must share
the portal's rate-limit counters, and the process's memory in development and tests."""
from .environment import PRODUCTION, VAR_DIR
from .jobs import REDIS_URL

# "default" holds the portal's rate-limit counters (portal/ratelimit.py): every web process must see the same
# counts, or three gunicorn workers let three times the limit through. "progress" holds the counts of a running
# background import (invoices/ledger/imports/progress.py): the worker writes them, the web process reads them.
DATABASE_CACHE_TABLE = "backoffice_cache"
if REDIS_URL:
    CACHES = {name: {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                     "KEY_PREFIX": name} for name in ("default", "progress")}
elif PRODUCTION:
    # `manage.py serve` creates the table (createcachetable) before it starts the web processes.
    CACHES = {name: {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": DATABASE_CACHE_TABLE,
                     "KEY_PREFIX": name} for name in ("default", "progress")}
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "progress": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                     "LOCATION": str(VAR_DIR / "cache" / "progress")},
    }
