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

# The job spine (core/jobs, docs/jobs.md): every effect after a commit is a job row a worker claims with a lease; the
# sweep, every minute, hands over lapsed leases and due retries on either broker.
JOBS_LEASE_SECONDS = int(os.environ.get("JOBS_LEASE_SECONDS", LEASE_SECONDS_DEFAULT))
JOBS_MAX_ATTEMPTS = int(os.environ.get("JOBS_MAX_ATTEMPTS", "6"))
JOBS_RETRY_BASE_SECONDS = int(os.environ.get("JOBS_RETRY_BASE_SECONDS", "30"))  # then twice as long each time
JOBS_RETRY_MAX_SECONDS = int(os.environ.get("JOBS_RETRY_MAX_SECONDS", "3600"))
JOBS_SWEEP_BATCH = 500
JOBS_KEEP_DAYS = int(os.environ.get("JOBS_KEEP_DAYS", "14"))  # finished jobs are pruned after this
