"""schemathesis against /api/schema/, in process (WSGI): generated requests, valid and not, as finance and as a
rep, must never get a 5xx nor an answer that breaks the schema. Bounded: a few examples per operation."""
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from .access_helpers import build_world

pytestmark = pytest.mark.slow  # fuzzing

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def keep_test_connection():
    """schemathesis calls the WSGI app itself, not through Django's test client, so the handler would close
    the database connection after each request, in the middle of the test's transaction (PostgreSQL); the
    test client disconnects the same receivers."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    yield
    for signal in signals:
        signal.connect(close_old_connections)


@pytest.fixture
def world(django_user_model, db, settings, tmp_path, keep_test_connection):
    settings.MEDIA_ROOT = tmp_path
    users, objects, _teams = build_world(django_user_model)
    return {role: Token.objects.create(user=users[role]).key for role in ("finance", "cs_a")}


def _load_schema():
    from backoffice.wsgi import application

    # The schema view reads no table, so loading it at collection needs no database.
    return schemathesis.openapi.from_wsgi("/api/schema/", application)


schema = _load_schema()


# Only hypothesis' generate phase: schemathesis' coverage phase (hooked on `explicit`) sends hundreds of
# boundary cases per operation and takes minutes: API_FUZZ_FULL=1 turns it on for a thorough run by hand.
# A fixed seed keeps the suite's run repeatable.
PHASES = [Phase.explicit, Phase.generate] if os.environ.get("API_FUZZ_FULL") else [Phase.generate]


@schema.parametrize()
@settings(max_examples=6, deadline=None, derandomize=True, database=None, phases=PHASES,
          suppress_health_check=list(HealthCheck))
@pytest.mark.django_db
def test_no_server_error_and_schema_conformance(case, world):
    if case.path in ("/api/v1/auth/token/", "/api/v1/auth/token/revoke/"):
        # Token login is throttled by django-axes and revoke would log the fuzzer out: covered elsewhere.
        return
    for key in world.values():
        case.call_and_validate(headers={"Authorization": f"Token {key}"}, checks=CHECKS)
