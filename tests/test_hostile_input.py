"""Replays every hostile or careless input of issue 16 (items "every bad input a 400" and "auth and scope"):
each answers a 4xx naming the field and the rule, never a 5xx, and writes nothing."""
import pytest

from core.parsers import json_depth_exceeds

pytestmark = pytest.mark.django_db


def test_json_nested_3000_levels_is_a_400_naming_the_limit(api_as, finance_user):
    body = "[" * 3000 + "]" * 3000
    response = api_as(finance_user).post("/api/v1/invoices/", body, content_type="application/json")
    assert response.status_code == 400
    assert "32" in response.json()["detail"]


def test_json_depth_counts_brackets_outside_strings_only():
    assert not json_depth_exceeds('{"a": "[[[[[[[[[["}', 3)
    assert not json_depth_exceeds('{"a": "\\"[[[[[["}', 3)
    assert json_depth_exceeds('{"a": [[[1]]]}', 3)
    assert not json_depth_exceeds('{"a": [[1]]}', 3)


def test_non_numeric_admin_ids_are_not_found(client, django_user_model):
    """Every registered model's change, history and delete pages: an id that is not a number never 500s."""
    from django.contrib import admin

    root = django_user_model.objects.create_superuser("root", password="pw-root")
    client.force_login(root)
    assert client.get("/admin/invoices/reissuerequest/abc/change/").status_code == 404
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/abc"
        for page in ("change", "history", "delete"):
            status = client.get(f"{base}/{page}/").status_code
            assert status in (302, 403, 404), (base, page, status)
