"""The ledger's signals, sent here exactly as invoices/signals.py documents them."""
from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import EventKind, Incident, IncidentCategory
from incidents.services.incidents import incident_transition
from invoices import signals

from .. import factories
from ..incident_helpers import open_incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def emit(django_capture_on_commit_callbacks):
    """Send a signal as the invoice side does, in a transaction: the receivers' jobs run once it commits."""

    def send(signal, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            signal.send(**kwargs)

    return send


def test_outage_opens_one_incident_for_many_invoices(seller, customer, emit):
    invoices = [factories.invoice(seller_obj=seller, buyer=customer) for _ in range(3)]
    start = timezone.now() - timedelta(minutes=10)
    emit(signals.platform_unavailable, sender=None, invoice_ids=[invoices[0].pk, invoices[1].pk], error="timeout",
                                      at=start)
    emit(signals.platform_unavailable, sender=None, invoice_ids=[invoices[1].pk, invoices[2].pk], error="503",
                                      at=start + timedelta(minutes=2))
    outage = Incident.objects.get(category=IncidentCategory.PLATFORM_OUTAGE)
    assert set(outage.invoices.values_list("pk", flat=True)) == {i.pk for i in invoices}
    assert outage.fault_started_at == start and outage.kind == "fault"
    assert outage.events.filter(kind=EventKind.SYNC).count() == 2

    recovered = timezone.now()
    emit(signals.platform_recovered, sender=None, at=recovered)
    outage.refresh_from_db()
    assert outage.platform_recovered_at == recovered and outage.is_open

    # A new unavailability after recovery is a new outage, hence a new incident.
    emit(signals.platform_unavailable, sender=None, invoice_ids=[invoices[0].pk], error="timeout", at=timezone.now())
    assert Incident.objects.filter(category=IncidentCategory.PLATFORM_OUTAGE).count() == 2


def test_recovery_without_outage_is_harmless(emit):
    emit(signals.platform_recovered, sender=None, at=timezone.now())
    assert not Incident.objects.exists()


def test_sync_failures_group_per_seller_per_day(customer, emit):
    s1, s2 = factories.seller(), factories.seller()
    a = factories.invoice(seller_obj=s1, buyer=customer)
    b = factories.invoice(seller_obj=s1, buyer=customer)
    c = factories.invoice(seller_obj=s2, buyer=customer)
    emit(signals.invoice_sync_failed, sender=None, invoice_ids=[a.pk, c.pk], reason="rejected", code="E102")
    emit(signals.invoice_sync_failed, sender=None, invoice_ids=[b.pk], reason="rejected", code="E102")
    incidents = Incident.objects.filter(category=IncidentCategory.SYNC_FAILURE).order_by("seller_id")
    assert [(i.seller_id, sorted(i.invoices.values_list("pk", flat=True))) for i in incidents] == [
        (s1.pk, sorted([a.pk, b.pk])), (s2.pk, [c.pk])]


def test_verify_failure_joins_the_customers_open_missing_incident(cs_user, invoice, emit):
    manual = open_incident(cs_user, customer=invoice.buyer)
    emit(signals.invoice_verify_failed, sender=None, invoice_id=invoice.pk, outcome="missing", detail={"n": 1})
    assert Incident.objects.count() == 1
    assert list(manual.invoices.all()) == [invoice]


def test_verify_failure_opens_one_when_none(invoice, seller, emit):
    other = factories.invoice(seller_obj=seller, buyer=invoice.buyer)
    emit(signals.invoice_verify_failed, sender=None, invoice_id=invoice.pk, outcome="missing", detail={})
    emit(signals.invoice_verify_failed, sender=None, invoice_id=other.pk, outcome="mismatch", detail={"amount": 1})
    incident = Incident.objects.get()
    assert incident.customer == invoice.buyer and incident.category == IncidentCategory.INVOICE_MISSING
    assert incident.invoices.count() == 2


def test_reissue_adds_timeline_event(cs_user, invoice, seller, finance_user, emit):
    incident = open_incident(cs_user, customer=invoice.buyer, invoices=[invoice])
    incident_transition(incident=incident, to="investigating", actor=cs_user)
    new = factories.invoice(seller_obj=seller, buyer=invoice.buyer)
    emit(signals.invoice_reissued, sender=None, request_id=7, original_id=invoice.pk, red_id=None, new_id=new.pk,
                                  actor_id=finance_user.pk)
    event = incident.events.get(kind=EventKind.REISSUE)
    assert event.actor == finance_user and event.data["new_id"] == new.pk
    assert set(incident.invoices.values_list("pk", flat=True)) == {invoice.pk, new.pk}


def test_one_open_incident_per_source_is_enforced_by_the_database():
    from django.db import IntegrityError, transaction

    from incidents.services.incidents import incident_open

    incident_open(actor=None, title="a", category="platform_outage", source_key="platform_outage")
    with pytest.raises(IntegrityError), transaction.atomic():
        Incident.objects.create(reference="INC-X", title="b", category="platform_outage", source_key="platform_outage")
