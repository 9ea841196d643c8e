"""Every API endpoint × every role, and the team-scoped admin pages × every role.

Endpoints are enumerated from the URL resolver (drf-spectacular's enumerator walks the same urlconf the
schema is built from), so a new endpoint fails `test_every_endpoint_is_in_the_table` until someone decides
who may call it. Writes send an empty body: a role that may call the endpoint gets past the permission and
object checks to validation (400) or an answer; one that may not gets 401/403, or 404 for a row of another
team. Each role's request runs in a savepoint that is rolled back, so no role sees another's side effects."""
import re

import pytest
from django.db import transaction
from django.urls import reverse
from drf_spectacular.generators import EndpointEnumerator
from rest_framework.test import APIClient

from .access_helpers import ROLES, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def api_endpoints():
    return sorted({(method, path) for path, _regex, method, _view in EndpointEnumerator().get_api_endpoints()
                   if path.startswith("/api/")})


# (method, path) -> statuses for: anonymous, groupless staff, 客服 team A, 客服 team B, 财务, 经理, superuser.
# The incident, follow-up and communication belong to team A (opened by cs_a, who owns the incident).
TABLE = {
    ("GET", "/api/v1/customers/"): "401 403 200 200 200 200 200",
    ("POST", "/api/v1/customers/"): "401 403 400 400 400 403 400",
    ("GET", "/api/v1/customers/{pk}/"): "401 403 200 200 200 200 200",
    ("PUT", "/api/v1/customers/{pk}/"): "401 403 400 400 400 403 400",
    ("PATCH", "/api/v1/customers/{pk}/"): "401 403 200 200 200 403 200",
    ("GET", "/api/v1/invoices/"): "401 403 200 200 200 200 200",
    ("POST", "/api/v1/invoices/"): "401 403 403 403 400 403 400",
    ("GET", "/api/v1/invoices/{pk}/"): "401 403 200 200 200 200 200",
    ("GET", "/api/v1/invoices/{pk}/sync-attempts/"): "401 403 200 200 200 200 200",
    ("POST", "/api/v1/invoices/{pk}/sync/"): "401 403 403 403 400 403 400",
    ("POST", "/api/v1/invoices/{pk}/verify/"): "401 403 200 200 200 403 200",
    ("POST", "/api/v1/invoices/{pk}/reissue-requests/"): "401 403 403 403 400 403 400",
    ("GET", "/api/v1/reissue-requests/"): "401 403 200 200 200 200 200",
    ("GET", "/api/v1/reissue-requests/{pk}/"): "401 403 200 200 200 200 200",
    ("POST", "/api/v1/reissue-requests/{pk}/approve/"): "401 403 403 403 200 403 200",
    ("POST", "/api/v1/reissue-requests/{pk}/reject/"): "401 403 403 403 400 403 400",
    ("POST", "/api/v1/reissue-requests/{pk}/retry/"): "401 403 403 403 409 403 409",
    ("GET", "/api/v1/reconciliations/"): "401 403 403 403 200 200 200",
    ("POST", "/api/v1/reconciliations/"): "401 403 403 403 415 403 415",
    ("GET", "/api/v1/reconciliations/{pk}/"): "401 403 403 403 200 200 200",
    ("GET", "/api/v1/reconciliations/{pk}/discrepancies/"): "401 403 403 403 200 200 200",
    ("POST", "/api/v1/reconciliations/{pk}/apply/"): "401 403 403 403 400 403 400",
    ("POST", "/api/v1/reconciliations/{pk}/revert/"): "401 403 403 403 400 403 400",
    ("GET", "/api/v1/incidents/"): "401 403 200 200 200 200 200",
    ("POST", "/api/v1/incidents/"): "401 403 400 400 403 403 400",
    ("GET", "/api/v1/incidents/{pk}/"): "401 403 200 404 200 200 200",
    ("PATCH", "/api/v1/incidents/{pk}/"): "401 403 200 404 403 200 200",
    ("GET", "/api/v1/incidents/{pk}/events/"): "401 403 200 404 200 200 200",
    ("POST", "/api/v1/incidents/{pk}/events/"): "401 403 400 404 400 400 400",
    ("POST", "/api/v1/incidents/{pk}/transition/"): "401 403 400 404 403 400 400",
    ("POST", "/api/v1/incidents/{pk}/review/"): "401 403 403 403 403 400 400",
    ("POST", "/api/v1/incidents/{pk}/notify/"): "401 403 400 404 403 403 400",
    ("GET", "/api/v1/communications/"): "401 403 200 200 200 200 200",
    ("POST", "/api/v1/communications/"): "401 403 400 400 403 403 400",
    ("GET", "/api/v1/communications/{pk}/"): "401 403 200 404 200 200 200",
    ("GET", "/api/v1/follow-ups/"): "401 403 200 200 200 200 200",
    ("POST", "/api/v1/follow-ups/"): "401 403 400 400 403 400 400",
    ("GET", "/api/v1/follow-ups/{pk}/"): "401 403 200 404 200 200 200",
    ("POST", "/api/v1/follow-ups/{pk}/complete/"): "401 403 200 404 403 200 200",
    ("POST", "/api/v1/follow-ups/{pk}/assign/"): "401 403 403 403 403 400 400",
    ("POST", "/api/v1/auth/token/"): "400 400 400 400 400 400 400",
    ("POST", "/api/v1/auth/token/revoke/"): "401 204 204 204 204 204 204",
    ("GET", "/api/schema/"): "200 200 200 200 200 200 200",
    ("GET", "/api/docs/"): "200 200 200 200 200 200 200",
    ("GET", "/api/redoc/"): "200 200 200 200 200 200 200",
}


def test_every_endpoint_is_in_the_table():
    endpoints = set(api_endpoints())
    assert endpoints - set(TABLE) == set(), "new endpoints: decide who may call them and add them to TABLE"
    assert set(TABLE) - endpoints == set(), "TABLE lists endpoints that no longer exist"


def _client(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _concrete(path, objects):
    base = path.split("/")[3]  # /api/v1/<base>/...
    return re.sub(r"\{pk\}", lambda m: str(objects[base].pk), path)


@pytest.mark.parametrize("method, path", api_endpoints())
def test_endpoint_per_role(method, path, django_user_model):
    users, objects, _teams = build_world(django_user_model)
    url = _concrete(path, objects)
    observed = []
    for role in ROLES:
        with transaction.atomic():
            response = getattr(_client(users[role]), method.lower())(url, {}, format="json")
            observed.append(str(response.status_code))
            transaction.set_rollback(True)
        assert response.status_code != 500
    assert " ".join(observed) == TABLE.get((method, path)), f"{method} {path}: observed {' '.join(observed)}"


ADMIN_EXPECTED = {
    # role: (changelist status, record listed, change page status)
    "anonymous": (302, False, 302),
    "groupless": (403, False, 403),
    "cs_a": (200, True, 200),
    "cs_b": (200, False, 302),  # another team's row "does not exist" for them: the admin redirects
    "finance": (200, True, 200),
    "manager": (200, True, 200),
    "superuser": (200, True, 200),
}


@pytest.mark.parametrize("model, key, label", [
    ("incident", "incidents", "reference"), ("followup", "follow-ups", "title"),
    ("communication", "communications", "subject"),
])
def test_team_scoped_admin_pages_per_role(client, django_user_model, model, key, label):
    users, objects, _teams = build_world(django_user_model)
    obj = objects[key]
    marker = reverse(f"admin:incidents_{model}_change", args=[obj.pk])
    for role in ROLES:
        client.logout()
        if users[role] is not None:
            client.force_login(users[role])
        query = "?assignee=all" if model == "followup" else ""  # the follow-up list defaults to "mine"
        changelist = client.get(reverse(f"admin:incidents_{model}_changelist") + query)
        change = client.get(marker)
        status, listed, change_status = ADMIN_EXPECTED[role]
        assert (changelist.status_code, marker in changelist.content.decode(), change.status_code) == (
            status, listed, change_status), role
