"""Security: sign-in and its throttling, HTTPS behind proxies, the Content-Security-Policy, API tokens, and the limits
that keep hostile input from costing more than a clear 400."""
import os
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .environment import PRODUCTION, env_bool, env_list

# --- signing in ---
LOGIN_URL = "admin:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# API tokens expire after this many days (a 401 says so; logging in again gives a new one). A password change or
# deactivation deletes the user's tokens at once (backoffice/tokens.py).
API_TOKEN_LIFETIME_DAYS = int(os.environ.get("API_TOKEN_LIFETIME_DAYS", "30"))

# --- login throttling (django-axes) ---
# A username is locked from the address that failed too often (AXES_FAILURE_LIMIT); locking by address alone would
# lock a whole office behind one NAT, by username alone lets anyone lock out anyone. An address is also locked across
# usernames (password spraying), with its own higher limit so one office behind a NAT is not locked by typos.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_IP_FAILURE_LIMIT = int(os.environ.get("AXES_IP_FAILURE_LIMIT", "20"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "backoffice.security.client_ip"
AXES_HANDLER = "backoffice.security.AxesHandler"
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "admin/lockout.html"
AXES_COOLOFF_MESSAGE = _("Account locked: too many failed logins. Try again later or ask an administrator to unlock it.")

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

# --- Content-Security-Policy (backoffice.security.ContentSecurityPolicyMiddleware, conf/applications.py) ---
# On by default in production (CONTENT_SECURITY_POLICY="" switches it off, any other value replaces it): scripts
# from this site's files only; styles may be inline (admin and Swagger UI use them).
_DEFAULT_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; "
                "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
CONTENT_SECURITY_POLICY = os.environ.get("CONTENT_SECURITY_POLICY", _DEFAULT_CSP if PRODUCTION else "")

# --- hostile input ---
# JSON bodies nested deeper than this are a 400 before decoding (the json module recurses once per level).
API_JSON_MAX_DEPTH = int(os.environ.get("API_JSON_MAX_DEPTH", "32"))
