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

from ..access_helpers import ROLES, build_world
from ..access_table import TABLE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def api_endpoints():
    return sorted({(method, path) for path, _regex, method, _view in EndpointEnumerator().get_api_endpoints()
                   if path.startswith("/api/")})


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
