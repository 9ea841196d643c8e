"""Background work (django-q2): the ORM broker, or Redis when REDIS_URL is set; task timeouts and the lease every
claim takes."""
import os

from django.utils.translation import gettext_lazy as _

REDIS_URL = os.environ.get("REDIS_URL", "")
Q_CLUSTER = {
    "name": "backoffice",
    "workers": int(os.environ.get("Q_WORKERS", "2")),
    # django-q2 requires timeout < retry, otherwise a slow task is handed out twice. A task whose worker dies is
    # handed out again by the ORM broker after `retry` seconds; every lease below lapses by then, so the retry
    # takes over (docs/operations.md, "Crash guarantees").
    "timeout": int(os.environ.get("Q_TIMEOUT", "60")),
    "retry": int(os.environ.get("Q_RETRY", "90")),
    "max_attempts": 5,
    "save_limit": 1000,
    "catch_up": False,
    "label": _("Background tasks"),
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# Every lease lapses between Q_TIMEOUT (a live task never loses it) and Q_RETRY (the broker's redelivery of a killed
# worker's task finds it lapsed and takes over): 75 s with the defaults. docs/operations.md, "Crash guarantees".
LEASE_SECONDS_DEFAULT = (Q_CLUSTER["timeout"] + Q_CLUSTER["retry"]) // 2
