"""Strings that installed libraries show on our pages but do not translate into Simplified Chinese themselves.
Listed here so that `make messages` keeps them in backoffice/locale, which LOCALE_PATHS reads before any library's
own catalogue. Nothing imports this module."""
from django.utils.translation import gettext_noop

LIBRARY_MESSAGES = [
    gettext_noop("Select all"),  # django-import-export: the export page's field chooser
]
