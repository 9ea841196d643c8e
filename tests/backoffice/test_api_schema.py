import pytest
from django.core.management import call_command


def test_openapi_schema_is_valid_and_free_of_warnings(tmp_path):
    # --fail-on-warn turns every drf-spectacular guess (untyped field, clashing enum name) into a failure.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    text = (tmp_path / "schema.yml").read_text()
    assert "/api/v1/reissue-requests/{id}/approve/" in text and "IncidentStatusEnum" in text


pytestmark = pytest.mark.django_db
