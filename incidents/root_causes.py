"""The root-cause categories every installation starts with (data migration 0010); managers add or
deactivate rows in the admin. The names are msgids: RootCauseCategory.__str__ translates them."""
from django.utils.translation import gettext_noop

DEFAULT_ROOT_CAUSES = [
    ("sync_job_failed", gettext_noop("sync job failed")),
    ("platform_fault", gettext_noop("tax platform fault")),
    ("data_entry", gettext_noop("data entry error")),
    ("network", gettext_noop("network")),
    ("permission", gettext_noop("permission")),
    ("quota", gettext_noop("invoicing quota")),
    ("other", gettext_noop("other")),
]
