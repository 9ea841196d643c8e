"""A past version's admin page (/admin/<app>/<model>/<id>/history/<version>/) with a version that is not one of the
history table's keys answers 404 (or the role's 302/403), never a 500, for every model with history and every role."""
import pytest
from django.contrib import admin
from django.test import Client
from simple_history.admin import SimpleHistoryAdmin

from ..access_helpers import ROLES, build_world

pytestmark = pytest.mark.django_db

BAD_VERSIONS = ["abc", "1.5", "-", "99999999999999999999999", "%F0%9F%98%80"]


def _history_admins():
    return [(model, model_admin) for model, model_admin in admin.site._registry.items()
            if isinstance(model_admin, SimpleHistoryAdmin)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_every_model_with_history_is_covered():
    labels = {model._meta.label_lower for model, _admin in _history_admins()}
    assert {"invoices.customer", "invoices.invoice", "invoices.reissuerequest", "incidents.incident",
            "incidents.followup"} <= labels


def test_a_version_that_is_not_a_key_is_not_found_for_every_role(django_user_model):
    users, _objects, _teams = build_world(django_user_model)
    observed = {}
    for model, _model_admin in _history_admins():
        obj = model.objects.order_by("pk").first()
        assert obj is not None, model
        version = obj.history.order_by("pk").first().history_id
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}"
        for role in ROLES:
            client = Client()
            if users[role] is not None:
                client.force_login(users[role])
            for bad in BAD_VERSIONS:
                for url in (f"{base}/{obj.pk}/history/{bad}/", f"{base}/{bad}/history/{version}/"):
                    status = client.get(url).status_code
                    observed[(url, role)] = status
    wrong = {key: status for key, status in observed.items() if status not in (302, 403, 404)}
    assert not wrong, wrong


def test_a_real_version_still_opens_for_the_superuser(django_user_model):
    users, objects, _teams = build_world(django_user_model)
    client = Client()
    client.force_login(users["superuser"])
    customer = objects["customers"]
    version = customer.history.order_by("pk").first().history_id
    response = client.get(f"/admin/invoices/customer/{customer.pk}/history/{version}/")
    assert response.status_code == 200
