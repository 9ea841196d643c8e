"""Login throttling (django-axes handler) and the Content-Security-Policy; the client-address rule lives in the kernel
(core/client_address.py) and is re-exported for AXES_CLIENT_IP_CALLABLE."""
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.db.models import Sum

from core.client_address import client_ip  # noqa: F401


class AxesHandler(AxesDatabaseHandler):
    """django-axes' database handler with two limits: AXES_FAILURE_LIMIT per username from one address, and
    AXES_IP_FAILURE_LIMIT per address across usernames (password spraying: one address, many usernames).

    AXES_LOCKOUT_PARAMETERS lists the two groups in that order; axes itself compares the larger count with one
    limit, so the address's count only locks once it reaches its own (higher) limit, and a whole office behind
    one NAT is not locked by a few colleagues' typos."""

    def get_failures(self, request, credentials=None):
        counts = [attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
                  for attempts in self.get_user_attempts(request, credentials)]
        per_user = counts[0] if counts else 0
        per_address = counts[1] if len(counts) > 1 else 0
        if per_address >= settings.AXES_IP_FAILURE_LIMIT:
            return max(per_user, get_failure_limit(request, credentials))
        return per_user


class ContentSecurityPolicyMiddleware:
    """Adds settings.CONTENT_SECURITY_POLICY (when set, by default in production) to every response that has none.

    Scripts only from files of this site: the admin, the API docs (Swagger's split view) and the portal
    carry no inline script or on* handler (tests/backoffice/test_csp_production.py renders the pages to check). Inline
    styles stay allowed: the admin and Swagger UI set style attributes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")
        if policy and "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = policy
        return response
