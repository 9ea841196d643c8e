"""Django's own admin strings that its zh_Hans catalogue lacks (added in 5.x, not yet translated upstream).

Listed here so `make messages` keeps them in backoffice/locale, which LOCALE_PATHS puts before Django's."""
from django.utils.translation import gettext_noop

DJANGO_ADMIN_STRINGS = [
    gettext_noop("Model name"),  # the app list's hidden table captions, read out by screen readers
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
]
