"""Settings, read from the environment.

DJANGO_ENV=production switches DEBUG off by default and refuses to start without a real SECRET_KEY;
anything else is development with safe local defaults (SQLite under var/, console email).
"""
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# --- environment and secrets ---
PRODUCTION = os.environ.get("DJANGO_ENV", "development").lower() == "production"
DEBUG = env_bool("DEBUG", not PRODUCTION)

_DEV_SECRET = "dev-only-insecure-secret-key-change-me"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_ENV=production.")
    SECRET_KEY = _DEV_SECRET

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# --- apps, middleware, templates ---
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_q",
    "import_export",
    "axes",
    "core.apps.CoreConfig",
    "invoices.apps.InvoicesConfig",
    "incidents.apps.IncidentsConfig",
    "portal.apps.PortalConfig",
    "backoffice.apps.BackofficeConfig",
    "bench.apps.BenchConfig",
    "simple_history",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    # History rows name the request's user; services running in tasks name their actor (core/history.py).
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "backoffice.urls"
WSGI_APPLICATION = "backoffice.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "portal.context.service_desk",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- database: SQLite under var/ by default, DATABASE_URL for PostgreSQL ---
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'backoffice.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the django-q2 worker share the file without "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- language and time ---
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "backoffice" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- email ---
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
# Where the file backend (EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend) writes each message.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH") or str(VAR_DIR / "sent-mail")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "invoices@example.com")

# --- background work (django-q2): the ORM broker, or Redis when REDIS_URL is set ---
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

# --- REST API and its schema ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.permissions.ModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "COERCE_DECIMAL_TO_STRING": True,
    "EXCEPTION_HANDLER": "core.api_errors.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Invoice back office API",
    "DESCRIPTION": "Invoices, tax-platform sync, incidents and reissues.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Served from the sidecar package so the docs work with no internet access.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "kind", "status" or "direction"; give each choice set its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "InvoiceKindEnum": "invoices.ledger.models.InvoiceKind",
        "InvoiceDirectionEnum": "invoices.ledger.models.Direction",
        "InvoiceStatusEnum": "invoices.ledger.models.InvoiceStatus",
        "SyncStatusEnum": "invoices.ledger.models.SyncStatus",
        "InvoiceEventKindEnum": "invoices.ledger.models.InvoiceEventKind",
        "ReissueStatusEnum": "invoices.reissue.models.ReissueStatus",
        "RedLetterFormStatusEnum": "invoices.reissue.models.RedLetterFormStatus",
        "ReconciliationRunStatusEnum": "invoices.reconciliation.models.RunStatus",
        "DiscrepancyKindEnum": "invoices.reconciliation.models.DiscrepancyKind",
        "IncidentKindEnum": "incidents.models.incident.IncidentKind",
        "IncidentStatusEnum": "incidents.models.incident.IncidentStatus",
        "FollowUpStatusEnum": "incidents.models.followup.FollowUpStatus",
        "CommunicationDirectionEnum": "incidents.models.communication.CommunicationDirection",
        "DeliveryStatusEnum": "incidents.models.communication.DeliveryStatus",
        "IncidentEventKindEnum": "incidents.models.timeline.EventKind",
    },
}

LOGIN_URL = "admin:login"

# --- logging ---
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- tax platform: gateway, simulator, sync ---
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
# Every lease lapses between Q_TIMEOUT (a live task never loses it) and Q_RETRY (the broker's redelivery of a killed
# worker's task finds it lapsed and takes over): 75 s with the defaults. docs/operations.md, "Crash guarantees".
LEASE_SECONDS_DEFAULT = (Q_CLUSTER["timeout"] + Q_CLUSTER["retry"]) // 2
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
# --- reconciliation and import/export ---
# Uploaded platform exports are kept with their reconciliation run.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
# A run proceeds in chunks of this many rows, one django-q2 task each, so every task stays well under
# Q_CLUSTER["timeout"] (a chunk takes seconds on PostgreSQL); see invoices/reconciliation/pipeline/runner.py.
RECONCILIATION_CHUNK_ROWS = int(os.environ.get("RECONCILIATION_CHUNK_ROWS", "200000"))
# The comparison joins the export with the ledger one part at a time (one task each), each part holding up to
# this many rows of either side: a hash join costs far less per row than loading one (a 1,000,000-row part takes
# a few seconds here). A run with more is split into parts and first copies the period's ledger into parts of
# its own (one more pass over the period's invoices).
RECONCILIATION_PART_ROWS = int(os.environ.get("RECONCILIATION_PART_ROWS", "2000000"))
# PostgreSQL: CSV chunks go to COPY as bytes when PostgreSQL's CSV parser reads them exactly as Python's csv
# module would (invoices/reconciliation/pipeline/load_block.py); off = every row through the csv module.
RECONCILIATION_COPY_BLOCKS = env_bool("RECONCILIATION_COPY_BLOCKS", True)
# Imports: one bad row rolls back the whole file (the admin also passes rollback_on_validation_errors).
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# Files of more rows than this are checked and imported by a task with a progress page (invoices/ledger/imports/);
# IMPORT_MAX_ROWS keeps one pass inside the task timeout (docs/imports.md has the measurement).
IMPORT_INLINE_MAX_ROWS = int(os.environ.get("IMPORT_INLINE_MAX_ROWS", "300"))
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "30000"))
# A background pass reads and imports its file this many rows at a time: a worker's memory is bounded by a chunk.
IMPORT_CHUNK_ROWS = int(os.environ.get("IMPORT_CHUNK_ROWS", "1000"))
# --- incidents: follow-ups and customer email ---
# Follow-up reminders go out this many business hours before the due time; overdue follow-ups are escalated
# once to the managers after this many business hours (counted on the default WorkCalendar).
INCIDENTS_FOLLOWUP_REMIND_BEFORE_HOURS = float(os.environ.get("INCIDENTS_FOLLOWUP_REMIND_BEFORE_HOURS", "1"))
INCIDENTS_FOLLOWUP_ESCALATE_AFTER_HOURS = float(os.environ.get("INCIDENTS_FOLLOWUP_ESCALATE_AFTER_HOURS", "2"))
# "Notify all affected customers" gives the owner this many business hours to confirm with each customer.
INCIDENTS_NOTIFY_FOLLOWUP_HOURS = float(os.environ.get("INCIDENTS_NOTIFY_FOLLOWUP_HOURS", "9"))
# Customer emails: attempts before a communication is shown as failed (retried by the incidents tick job).
INCIDENTS_EMAIL_MAX_ATTEMPTS = int(os.environ.get("INCIDENTS_EMAIL_MAX_ATTEMPTS", "3"))
# How long one email delivery attempt keeps others away (a lease: a dead worker's attempt is retried after it).
INCIDENTS_EMAIL_LEASE_SECONDS = int(os.environ.get("INCIDENTS_EMAIL_LEASE_SECONDS", LEASE_SECONDS_DEFAULT))

# --- static files ---
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# whitenoise serves them from gunicorn; in production with hashed, pre-compressed names
# (`collectstatic` must have run, `make serve` does it).
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # whitenoise warns on every start when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- HTTPS and proxies ---
# On by default in production, each switchable for a proxy that terminates TLS in its own way.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", PRODUCTION)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600) if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", PRODUCTION)
# "HTTP_X_FORWARDED_PROTO,https": trust the proxy's header saying the original request was HTTPS. Only set it
# when a proxy always overwrites that header, otherwise a client could claim HTTPS itself.
_proxy_header = env_list("SECURE_PROXY_SSL_HEADER", [])
if _proxy_header:
    if len(_proxy_header) != 2:
        raise ImproperlyConfigured("SECURE_PROXY_SSL_HEADER must look like 'HTTP_X_FORWARDED_PROTO,https'.")
    SECURE_PROXY_SSL_HEADER = tuple(_proxy_header)
# How many proxies in front of gunicorn append to X-Forwarded-For; 0 means REMOTE_ADDR is the client.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# --- login throttling (django-axes) ---
# a username is locked from the address that failed too often; locking by
# address alone would lock a whole office behind one NAT, by username alone lets anyone lock out anyone.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "backoffice.security.client_ip"
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"
AXES_COOLOFF_MESSAGE = _("Account locked: too many failed logins. Try again later or ask an administrator to unlock it.")

# --- audit history ---
# django-simple-history keeps a row per change of customers, invoices, reissue requests, incidents and
# follow-ups (not of the append-only event tables: they are an audit trail already).
# History is read-only in the admin: no "Revert", and only users granted view_historical<model> (managers)
# see the History pages.
SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS = True


# --- hostile input, tokens and scope (issue 16) ---
# JSON bodies nested deeper than this are a 400 before decoding (the json module recurses once per level).
API_JSON_MAX_DEPTH = int(os.environ.get("API_JSON_MAX_DEPTH", "32"))
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = [
    "core.parsers.DepthLimitedJSONParser",
    "rest_framework.parsers.FormParser",
    "rest_framework.parsers.MultiPartParser",
]
# Follow-ups may be due at most this many days ahead (or behind): a due date in 9999 is a typo.
FOLLOWUP_MAX_DAYS_AHEAD = int(os.environ.get("FOLLOWUP_MAX_DAYS_AHEAD", str(3 * 366)))
# API tokens expire after this many days (a 401 says so; logging in again gives a new one). A password change or
# deactivation deletes the user's tokens at once (backoffice/tokens.py).
API_TOKEN_LIFETIME_DAYS = int(os.environ.get("API_TOKEN_LIFETIME_DAYS", "30"))
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = [
    "backoffice.tokens.ExpiringTokenAuthentication",
    "rest_framework.authentication.SessionAuthentication",
]
# Login throttling per username from one address (AXES_FAILURE_LIMIT, above) and per address across usernames
# (password spraying), the latter with its own higher limit so one office behind a NAT is not locked by typos.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_IP_FAILURE_LIMIT = int(os.environ.get("AXES_IP_FAILURE_LIMIT", "20"))
AXES_HANDLER = "backoffice.security.AxesHandler"
# Content-Security-Policy, on by default in production (CONTENT_SECURITY_POLICY="" switches it off, any other
# value replaces it): scripts from this site's files only; styles may be inline (admin and Swagger UI use them).
_DEFAULT_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; "
                "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
CONTENT_SECURITY_POLICY = os.environ.get("CONTENT_SECURITY_POLICY", _DEFAULT_CSP if PRODUCTION else "")
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "backoffice.security.ContentSecurityPolicyMiddleware")


# --- invoice files ---
# PDF/OFD/XML come from the tax platform and are kept in the default storage (STORAGES["default"], so a
# deployment can point it at S3-compatible storage). Customers' download links are valid this many days.
INVOICE_FILE_LINK_DAYS = int(os.environ.get("INVOICE_FILE_LINK_DAYS", "30"))
# Emails carry absolute links (invoice files, the portal's case page and survey): the address customers reach.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
# Selections up to this many invoices are zipped while the browser waits; more go to a task with a progress page.
INVOICE_FILES_ZIP_INLINE_MAX = int(os.environ.get("INVOICE_FILES_ZIP_INLINE_MAX", "200"))
# A .ttf/.ttc with Chinese glyphs for PDFs; empty = Debian's fonts-wqy-zenhei (core/pdf_fonts.py).
PDF_CJK_FONT_PATH = os.environ.get("PDF_CJK_FONT_PATH", "")


# --- customer portal (/portal/) ---
SERVICE_COMPANY_NAME = os.environ.get("SERVICE_COMPANY_NAME", "北京云票财务软件有限公司")
SERVICE_PHONE = os.environ.get("SERVICE_PHONE", "010-6488 1234")
PORTAL_CASE_LINK_DAYS = int(os.environ.get("PORTAL_CASE_LINK_DAYS", "90"))
PORTAL_SURVEY_LINK_DAYS = int(os.environ.get("PORTAL_SURVEY_LINK_DAYS", "30"))
# Every lookup answers after at least this long, found or not, so timing does not reveal which numbers exist.
PORTAL_LOOKUP_MIN_SECONDS = float(os.environ.get("PORTAL_LOOKUP_MIN_SECONDS", "0.3"))
# (requests, seconds) per rule; see portal/ratelimit.py. The counters live in the cache: use Redis (REDIS_URL)
# when several web processes serve the portal.
PORTAL_RATE_LIMITS = {
    "lookup_address": (int(os.environ.get("PORTAL_LOOKUPS_PER_ADDRESS", "10")), 600),
    "lookup_number": (int(os.environ.get("PORTAL_LOOKUPS_PER_NUMBER", "5")), 600),
    "appeal_address": (5, 3600),
    "message_address": (10, 3600),
    "survey_address": (20, 3600),
}
# "progress" holds the counts of a running background import (invoices/ledger/imports/progress.py): the worker writes
# them, the web process reads them, so it is a cache both reach (files under var/, or Redis).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "progress": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                 "LOCATION": str(VAR_DIR / "cache" / "progress")},
}
if REDIS_URL:
    CACHES = {name: {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                     "KEY_PREFIX": name} for name in ("default", "progress")}


# --- reconciliation: a run proposes, a person applies ---
# A finished run is "probably the wrong file" (applying it needs a confirmation and a reason) when more than this
# share of its rows name another seller, or when it matches under WRONG_FILE_MATCH_RATE of its rows although the
# seller's last RECENT_RUNS runs matched at least RECENT_MATCH_RATE.
RECONCILIATION_FOREIGN_SHARE = float(os.environ.get("RECONCILIATION_FOREIGN_SHARE", "0.5"))
RECONCILIATION_WRONG_FILE_MATCH_RATE = float(os.environ.get("RECONCILIATION_WRONG_FILE_MATCH_RATE", "0.5"))
RECONCILIATION_RECENT_MATCH_RATE = float(os.environ.get("RECONCILIATION_RECENT_MATCH_RATE", "0.95"))
RECONCILIATION_RECENT_RUNS = int(os.environ.get("RECONCILIATION_RECENT_RUNS", "5"))


# --- bounded uploads, safe exports, leases (issue 16) ---
# Checked before anything parses an upload (core/upload_limits.py; every key and its default in DEFAULTS there):
# an XLSX's zip members (count, unpacked size each and in all, compression ratio), a CSV's size, line length,
# field size and column count, and how far into a sheet the header may be. UPLOAD_LIMITS_JSON overrides keys.
UPLOAD_LIMITS = __import__("json").loads(os.environ.get("UPLOAD_LIMITS_JSON", "{}"))
# A reconciliation chunk that dies (timeout, killed worker) is tried this many times, then the run fails.
RECONCILIATION_CHUNK_MAX_ATTEMPTS = int(os.environ.get("RECONCILIATION_CHUNK_MAX_ATTEMPTS", "3"))


# --- home pages (工作台) ---
# An invoice still pending this long after it was issued shows on finance's home page as "待同步超时".
HOME_PENDING_TOO_LONG_MINUTES = int(os.environ.get("HOME_PENDING_TOO_LONG_MINUTES", "60"))
