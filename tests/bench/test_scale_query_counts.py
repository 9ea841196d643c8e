"""The big lists run a fixed number of queries whatever the page holds: no per-row query (N+1).
Each test counts the queries of a page with one row, adds rows of every shape the list shows (other buyers,
sellers, owners, red corrections), and asserts the same count with django_assert_num_queries."""
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from incidents.services.followups import followup_create
from invoices.ledger.models import Direction
from invoices.ledger.services.issue import invoice_issue

from .. import factories
from ..incident_helpers import open_incident

pytestmark = pytest.mark.django_db


def _count(fn):
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


@pytest.fixture
def boss(django_user_model):
    return django_user_model.objects.create_superuser("boss", "boss@example.cn", "pw")


def _more_invoices(n):
    for _i in range(n):
        blue = factories.invoice(lines=[factories.line(), factories.line("50.00", "0.06")])
        invoice_issue(actor=None, seller=blue.seller, buyer=blue.buyer, kind=blue.kind, direction=Direction.RED,
                      original=blue, issued_at=blue.issued_at + timedelta(hours=1),
                      lines=[{"name": ln.name, "amount": -ln.amount, "tax_rate": ln.tax_rate,
                              "tax_amount": -ln.tax_amount} for ln in blue.lines.all()])


def test_admin_invoice_list_fixed_queries(client, boss, django_assert_num_queries):
    client.force_login(boss)
    factories.invoice()
    url = reverse("admin:invoices_invoice_changelist")
    one = _count(lambda: client.get(url))
    _more_invoices(4)
    with django_assert_num_queries(one):
        response = client.get(url)
    assert len(response.context["cl"].result_list) == 9


def test_api_invoice_list_fixed_queries(api_as, boss, django_assert_num_queries):
    api = api_as(boss)
    factories.invoice()
    one = _count(lambda: api.get("/api/v1/invoices/"))
    _more_invoices(4)
    with django_assert_num_queries(one):
        response = api.get("/api/v1/invoices/?page_size=100")
    assert len(response.json()["results"]) == 9


def test_admin_incident_list_fixed_queries(client, boss, django_assert_num_queries):
    client.force_login(boss)
    User = get_user_model()
    open_incident(actor=boss, customer=factories.customer(), owner=boss)
    url = reverse("admin:incidents_incident_changelist")
    one = _count(lambda: client.get(url))
    for n in range(4):
        owner = User.objects.create_user(f"rep{n}", is_staff=True)
        open_incident(actor=boss, customer=factories.customer(), seller=factories.seller(), owner=owner)
    with django_assert_num_queries(one):
        response = client.get(url)
    assert len(response.context["cl"].result_list) == 5


def test_admin_my_followups_fixed_queries(client, boss, django_assert_num_queries):
    client.force_login(boss)
    due = timezone.now() + timedelta(days=1)
    followup_create(actor=boss, title="回访", due_at=due, customer=factories.customer())
    url = reverse("admin:incidents_followup_changelist")
    one = _count(lambda: client.get(url))
    for n in range(4):
        incident = open_incident(actor=boss, customer=factories.customer())
        followup_create(actor=boss, title=f"回访 {n}", due_at=due - timedelta(days=3 * n), incident=incident,
                        customer=incident.customer)
    with django_assert_num_queries(one):
        response = client.get(url)
    assert len(response.context["cl"].result_list) == 5
