import os

import pytest
from django.contrib.auth.models import Group
from django.utils import translation
from rest_framework.test import APIClient

from core.roles import CUSTOMER_SERVICE, FINANCE, MANAGER

from . import factories
from .system_tools import missing_packages


def on_postgres():
    """Whether the tests run against PostgreSQL: pytest-django has configured the settings (DATABASE_URL, read by
    backoffice/settings.py) before collection."""
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def pytest_collection_modifyitems(config, items):
    """The one place where tests marked `postgres` are skipped on any other database.

    The real-browser suite (tests/browser/) shares one live site, so it is one pytest-xdist group (one worker,
    tests/browser/conftest.py marks it). In one process it runs last, after everything quick has answered; under
    xdist it goes first, so its worker starts the site and Chromium while the other workers take the rest."""
    browser_first = bool(os.environ.get("PYTEST_XDIST_WORKER"))
    items.sort(key=lambda item: ("/browser/" in str(item.path)) != browser_first)
    if on_postgres():
        return
    needs_postgres = pytest.mark.skip(reason="needs PostgreSQL")
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(needs_postgres)


def pytest_terminal_summary(terminalreporter):
    """One line per missing Debian package whose tests skipped (tests/system_tools.py)."""
    for package in missing_packages():
        terminalreporter.write_line(f"tests that need {package} skipped: apt-get install {package}")


@pytest.fixture(autouse=True)
def english_messages():
    """Service calls made directly by tests speak English so assertions read plainly; requests still pick
    their language through LocaleMiddleware (Chinese by default), and tests/backoffice/test_i18n.py checks both."""
    with translation.override("en"):
        yield


ROLE_GROUPS = {"cs": CUSTOMER_SERVICE, "finance": FINANCE, "manager": MANAGER}


def make_user(django_user_model, username, group=None, **extra):
    user = django_user_model.objects.create_user(username=username, password="pw-" + username, is_staff=True, **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def cs_user(django_user_model):
    return make_user(django_user_model, "cs", CUSTOMER_SERVICE)


@pytest.fixture
def finance_user(django_user_model):
    return make_user(django_user_model, "finance", FINANCE)


@pytest.fixture
def finance_user2(django_user_model):
    return make_user(django_user_model, "finance2", FINANCE)


@pytest.fixture
def manager_user(django_user_model):
    return make_user(django_user_model, "manager", MANAGER)


@pytest.fixture
def role_user(request, django_user_model):
    """Parametrize indirectly with 'cs', 'finance' or 'manager'."""
    return make_user(django_user_model, request.param, ROLE_GROUPS[request.param])


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def api_as():
    def _login(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return _login


@pytest.fixture
def seller(db):
    return factories.seller()


@pytest.fixture
def customer(db):
    return factories.customer()


@pytest.fixture
def invoice(db, seller, customer):
    return factories.invoice(seller_obj=seller, buyer=customer)


@pytest.fixture
def no_reference_data(db):
    """For tests that build their own calendar, SLA targets, playbooks and templates: start without the
    reference data that incidents/migrations/0004 loads into every installation."""
    from incidents.models import (
        CalendarDay,
        CommunicationTemplate,
        Playbook,
        PlaybookStep,
        SlaTarget,
        WorkCalendar,
    )

    CalendarDay.objects.all().delete()
    WorkCalendar.objects.all().delete()
    SlaTarget.objects.all().delete()
    PlaybookStep.objects.all().delete()
    Playbook.objects.all().delete()
    CommunicationTemplate.objects.all().delete()
