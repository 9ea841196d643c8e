"""A lone UTF-16 surrogate ("\\ud800", half of a pair and no character) in any field of any JSON write of /api/v1/
answers 400 naming the field, and writes nothing; in a query string (where it can only arrive percent-encoded as
the bytes ED A0 80, which are not UTF-8) every choice filter answers 400 naming the parameter."""
import pytest
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from core.parsers import lone_surrogate_path

from ..access_helpers import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(obj, components):
    return components[obj["$ref"].rsplit("/", 1)[-1]] if "$ref" in obj else obj


def _body_fields(body_schema, components):
    """Every writable property of a request body, and one level into arrays of objects (lines.0.name)."""
    for name, prop in _resolve(body_schema, components).get("properties", {}).items():
        if prop.get("readOnly"):
            continue
        yield name, name
        items = prop.get("items", {})
        if prop.get("type") == "array" and ("$ref" in items or "properties" in items):
            for inner, inner_prop in _resolve(items, components).get("properties", {}).items():
                if not inner_prop.get("readOnly"):
                    yield f"{name}.0.{inner}", f'{name}": [{{"{inner}'


def _operations(schema):
    for path, operations in schema["paths"].items():
        if path.startswith("/api/v1/auth/"):
            continue
        for method, operation in operations.items():
            yield path, method, operation


def _url(path, objects):
    return path.replace("{id}", str(objects[path.split("/")[3]].pk))


def _client(user):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


def _snapshot():
    from django.apps import apps

    return {model._meta.label: model.objects.count() for model in apps.get_models()
            if model._meta.app_label in ("invoices", "incidents")}


def test_every_field_of_every_json_write(schema, django_user_model):
    users, objects, _teams = build_world(django_user_model)
    client = _client(users["superuser"])
    components = schema["components"]["schemas"]
    before = _snapshot()
    tried, wrong = 0, []
    for path, method, operation in _operations(schema):
        body_schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        if not body_schema:
            continue
        for field, opening in _body_fields(body_schema, components):
            closing = "}]" if "." in field else ""
            raw = '{"%s": "x\\ud800"%s}' % (opening, closing)
            with transaction.atomic():
                response = getattr(client, method)(_url(path, objects), raw, content_type="application/json")
                transaction.set_rollback(True)
            tried += 1
            named = response.status_code == 400 and field in response.json()
            if not named:
                wrong.append((method, path, field, response.status_code, response.content[:200]))
    assert tried > 40
    assert not wrong, wrong
    assert _snapshot() == before


def test_a_surrogate_in_a_key_names_it(django_user_model):
    users, _objects, _teams = build_world(django_user_model)
    response = _client(users["superuser"]).post("/api/v1/incidents/", '{"title": "t", "a\\udc00": 1}',
                                                content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()) == ["a\\udc00"]


def test_a_surrogate_pair_is_a_character_and_passes():
    assert lone_surrogate_path({"title": "\ud83d\ude00".encode("utf-16", "surrogatepass").decode("utf-16")}) is None
    assert lone_surrogate_path({"lines": [{"name": "ok"}, {"name": "\udfff"}]}) == "lines.1.name"
    assert lone_surrogate_path(["\ud800"]) == "0"
    assert lone_surrogate_path("\ud800") == "non_field_errors"


def test_every_choice_filter_in_a_query_string(schema, django_user_model):
    users, objects, _teams = build_world(django_user_model)
    client = _client(users["superuser"])
    tried, wrong = 0, []
    for path, method, operation in _operations(schema):
        if method != "get":
            continue
        for parameter in operation.get("parameters", []):
            if parameter["in"] != "query" or "enum" not in parameter.get("schema", {}):
                continue
            name = parameter["name"]
            response = client.get(_url(path, objects), QUERY_STRING=f"{name}=%ED%A0%80")
            tried += 1
            if not (response.status_code == 400 and name in response.json()):
                wrong.append((path, name, response.status_code, response.content[:200]))
    assert tried >= 7
    assert not wrong, wrong
