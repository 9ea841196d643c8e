"""One incident per problem: the invoice page leads to the running incident, an appeal about its invoice joins it,
the desk lists related open incidents, and 合并 closes a duplicate with a link after moving its work."""
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from core.roles import CUSTOMER_SERVICE
from incidents.models import (
    Communication,
    CommunicationDirection,
    EventKind,
    FollowUp,
    Incident,
    IncidentEvent,
    IncidentStatus,
)
from incidents.services.communications import communication_log
from incidents.services.followups import followup_create
from incidents.services.merge import incident_merge
from incidents.services.portal import incident_open_from_appeal

from .. import factories
from ..conftest import make_user
from ..incident_helpers import open_incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(cs_user, invoice):
    return open_incident(cs_user, owner=cs_user, customer=invoice.buyer, invoices=[invoice])


def test_invoice_page_opens_the_running_incident_instead_of_creating_one(client, cs_user, invoice, running):
    client.force_login(cs_user)
    response = client.get(reverse("admin:invoices_invoice_change", args=[invoice.pk]))
    steps = response.context["next_steps"]
    opening = [s for s in steps if s.key == "open_incident"]
    assert len(opening) == 1 and running.reference in opening[0].label
    assert opening[0].url == reverse("admin:incidents_incident_change", args=[running.pk])
    html = response.content.decode()
    # Neither the panel nor the bar above it offers a new incident for this invoice.
    assert f'{reverse("admin:incidents_incident_add")}?invoice={invoice.pk}' not in html


def test_appeal_about_an_invoice_with_an_open_incident_joins_it(invoice, running):
    before = Incident.objects.count()
    joined = incident_open_from_appeal(category="not_found", description="税局查不到这张票", contact_name="王会计",
                                       phone="13800000000", invoice=invoice)
    assert joined.pk == running.pk and Incident.objects.count() == before
    assert joined.appeal_joined
    event = IncidentEvent.objects.get(incident=running, message_code="incident.appeal_joined")
    assert event.kind == EventKind.CUSTOMER_MESSAGE and "税局查不到这张票" in event.text and invoice.number in event.text
    assert "13800000000" not in event.text  # the contact stays on the staff side
    inbound = Communication.objects.get(incident=running, direction=CommunicationDirection.INBOUND)
    assert inbound.channel == "portal" and "13800000000" in inbound.contact


def test_appeal_joining_keeps_the_confirmation_policy(invoice, running):
    incident_open_from_appeal(category="not_found", description="查不到", contact_name="王会计",
                              email="typed@elsewhere.cn", invoice=invoice)
    # A typed address nobody recorded: nothing sent, the go-ahead waits on the case page.
    assert not Communication.objects.filter(incident=running, direction=CommunicationDirection.OUTBOUND).exists()
    assert IncidentEvent.objects.filter(incident=running, message_code="incident.confirmation_pending").exists()


def test_appeal_case_page_names_the_joined_reference(client, invoice, running):
    from portal.views import APPEAL_SALT  # noqa: PLC0415  the signed reference the lookup hands out
    from django.core import signing

    ref = signing.dumps(invoice.pk, salt=APPEAL_SALT)
    response = client.post(reverse("portal:appeal"), {
        "ref": ref, "category": "not_found", "description": "查不到", "contact_name": "王会计",
        "phone": "13800000000", "email": "", "numbers_given": ""}, follow=True)
    assert response.status_code == 200
    assert response.context["joined"] and running.reference in response.content.decode()


def test_appeal_without_a_running_incident_still_opens_one(invoice):
    incident = incident_open_from_appeal(category="not_found", description="查不到", contact_name="王会计",
                                         phone="13800000000", invoice=invoice)
    assert incident.opened_via == "portal" and not getattr(incident, "appeal_joined", False)


def test_desk_lists_related_open_incidents(client, cs_user, invoice, running):
    same_invoice = open_incident(cs_user, owner=cs_user, invoices=[invoice])
    same_customer = open_incident(cs_user, owner=cs_user, customer=invoice.buyer)
    client.force_login(cs_user)
    desk = client.get(reverse("admin:incidents_incident_change", args=[running.pk])).context["desk"]
    related = {row["reference"]: row["why"] for row in desk["related"]}
    assert related == {same_invoice.reference: "invoice", same_customer.reference: "customer"}
    assert all(row["merge_url"] for row in desk["related"])


def test_merge_moves_the_work_and_closes_the_duplicate_with_a_link(cs_user, invoice, running):
    other_invoice = factories.invoice(seller_obj=invoice.seller, buyer=invoice.buyer)
    duplicate = open_incident(cs_user, owner=cs_user, customer=invoice.buyer, invoices=[invoice, other_invoice])
    comm = communication_log(actor=cs_user, customer=invoice.buyer, incident=duplicate, channel="phone",
                             direction="inbound", contact="王会计", subject="来电", body="查不到")
    followup = followup_create(actor=cs_user, assignee=cs_user, title="回电", incident=duplicate,
                               due_at=timezone.now() + timedelta(hours=2))
    target = incident_merge(duplicate=duplicate, into=running, actor=cs_user, note="同一张票")
    duplicate.refresh_from_db()
    assert target.pk == running.pk
    assert duplicate.status == IncidentStatus.CLOSED and duplicate.duplicate_of_id == running.pk
    assert duplicate.closed_at is not None and duplicate.reviewed_by is None
    assert set(running.invoices.values_list("pk", flat=True)) == {invoice.pk, other_invoice.pk}
    assert not duplicate.invoices.exists()
    assert Communication.objects.get(pk=comm.pk).incident_id == running.pk
    assert FollowUp.objects.get(pk=followup.pk).incident_id == running.pk
    into = IncidentEvent.objects.get(incident=duplicate, kind=EventKind.MERGE)
    came = IncidentEvent.objects.get(incident=running, kind=EventKind.MERGE)
    assert running.reference in into.text and duplicate.reference in came.text and "同一张票" in came.text


def test_merge_is_refused_into_itself_a_closed_one_or_by_an_outsider(cs_user, django_user_model, running):
    duplicate = open_incident(cs_user, owner=cs_user)
    with pytest.raises(ValidationError):
        incident_merge(duplicate=duplicate, into=duplicate, actor=cs_user)
    stranger = make_user(django_user_model, "cs9", CUSTOMER_SERVICE)
    with pytest.raises(PermissionDenied):
        incident_merge(duplicate=duplicate, into=running, actor=stranger)
    incident_merge(duplicate=duplicate, into=running, actor=cs_user)
    with pytest.raises(ValidationError) as refused:
        incident_merge(duplicate=duplicate, into=running, actor=cs_user)  # a second press
    assert duplicate.reference in str(refused.value)
    third = open_incident(cs_user, owner=cs_user)
    with pytest.raises(ValidationError):
        incident_merge(duplicate=third, into=duplicate, actor=cs_user)  # closed (a duplicate)


def test_merge_from_the_admin_lands_on_the_incident_that_carries_on(client, cs_user, running):
    duplicate = open_incident(cs_user, owner=cs_user)
    client.force_login(cs_user)
    url = reverse("admin:incidents_incident_merge", args=[duplicate.pk])
    form = client.get(url + f"?into={running.pk}").context["form"]
    assert form.initial["into"] == running.reference
    response = client.post(url, {"into": running.reference, "note": ""})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:incidents_incident_change", args=[running.pk])
    response = client.post(reverse("admin:incidents_incident_merge", args=[running.pk]), {"into": "INC-1999-000009"})
    assert response.status_code == 200 and "into" in response.context["form"].errors


def test_merge_api_needs_the_same_permission_and_answers_the_target(api_as, cs_user, finance_user, running):
    duplicate = open_incident(cs_user, owner=cs_user)
    url = f"/api/v1/incidents/{duplicate.pk}/merge/"
    assert api_as(finance_user).post(url, {"into": running.reference}, format="json").status_code == 403
    response = api_as(cs_user).post(url, {"into": running.reference}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["reference"] == running.reference
    duplicate.refresh_from_db()
    assert duplicate.duplicate_of_id == running.pk
    shown = api_as(cs_user).get(f"/api/v1/incidents/{duplicate.pk}/").json()
    assert shown["duplicate_of"] == running.reference and shown["status"] == "closed"


def test_invoice_page_leads_to_the_customers_running_incident(client, cs_user, invoice):
    """A verify attaches the invoice to the customer's open incident on the worker; the page leads there at once."""
    customers = open_incident(cs_user, owner=cs_user, customer=invoice.buyer)
    client.force_login(cs_user)
    steps = client.get(reverse("admin:invoices_invoice_change", args=[invoice.pk])).context["next_steps"]
    assert [s.url for s in steps if s.key == "open_incident"] == [
        reverse("admin:incidents_incident_change", args=[customers.pk])]
    assert not [s for s in steps if s.key == "create_incident"]
