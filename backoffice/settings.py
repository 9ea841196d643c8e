"""Settings, read from the environment: the table of contents. Each concern is one module of backoffice/conf/, with
its settings and the reasons for their defaults; a setting is defined in exactly one of them
(tests/backoffice/test_settings_layout.py). backoffice/settings_test.py and settings_messages.py build on this module.

DJANGO_ENV=production switches DEBUG off by default and refuses to start without a real SECRET_KEY; anything else is
development with safe local defaults (SQLite under var/, console email)."""
# ruff: noqa: F401, F403
from backoffice.conf.environment import *  # directories, DJANGO_ENV, DEBUG, SECRET_KEY, host names
from backoffice.conf.applications import *  # installed apps, middleware, templates
from backoffice.conf.database import *  # SQLite under var/ or DATABASE_URL
from backoffice.conf.i18n import *  # languages, time zone
from backoffice.conf.jobs import *  # django-q2 (ORM or Redis broker), task timeouts, the default lease
from backoffice.conf.caches import *  # local caches or Redis
from backoffice.conf.mail import *  # outgoing email, the public address in links
from backoffice.conf.security import *  # sign-in, axes, HTTPS and proxies, CSP, API tokens, hostile input
from backoffice.conf.api import *  # REST framework and the OpenAPI schema
from backoffice.conf.static import *  # static files (whitenoise) and storages
from backoffice.conf.logs import *  # logging
from backoffice.conf.history import *  # audit history
from backoffice.conf.platform import *  # the tax platform: gateway, timeouts, sync retries, simulator
from backoffice.conf.uploads import *  # uploaded files, upload limits, imports
from backoffice.conf.reconciliation import *  # reconciliation runs: chunks, parts, the wrong-file check
from backoffice.conf.invoice_files import *  # invoice PDF/OFD/XML files, download links, PDF font
from backoffice.conf.incidents import *  # follow-ups, customer notices
from backoffice.conf.portal import *  # the customer portal
from backoffice.conf.reporting import *  # home pages
