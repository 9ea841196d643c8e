import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from incidents.models import EventKind, IncidentEvent, IncidentStatus
from incidents.services.incidents import incident_review, incident_transition

from ..incident_helpers import open_incident
from ..reporting_helpers import cause

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_reference_data")]


def test_reference_format_and_opening_event(cs_user, customer):
    a = open_incident(cs_user, customer=customer)
    b = open_incident(cs_user, customer=customer)
    assert a.reference.startswith("INC-") and len(a.reference) == len("INC-2025-000001")
    assert int(b.reference[-6:]) == int(a.reference[-6:]) + 1
    assert a.owner == cs_user and a.status == IncidentStatus.NEW
    assert list(a.events.values_list("kind", flat=True)) == [EventKind.CREATED]


def test_cannot_resolve_without_root_cause_and_resolution(cs_user):
    incident = open_incident(cs_user)
    incident_transition(incident=incident, to="investigating", actor=cs_user)
    with pytest.raises(ValidationError) as exc:
        incident_transition(incident=incident, to="resolved", actor=cs_user, root_cause="  ")
    assert set(exc.value.message_dict) == {"root_cause_category", "root_cause", "resolution"}
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.INVESTIGATING and incident.resolved_at is None


def test_cannot_close_without_review(cs_user, manager_user):
    incident = open_incident(cs_user)
    incident_transition(incident=incident, to="resolved", actor=cs_user, root_cause="typo", resolution="reissued",
                        root_cause_category=cause())
    with pytest.raises(ValidationError) as exc:
        incident_transition(incident=incident, to="closed", actor=manager_user)
    assert "status" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        incident_review(incident=incident, actor=cs_user, approve=True)
    incident = incident_review(incident=incident, actor=manager_user, approve=True)
    assert incident.status == IncidentStatus.CLOSED
    assert incident.reviewed_by == manager_user and incident.closed_at is not None


def test_review_send_back_needs_comment_and_reopens(cs_user, manager_user):
    incident = open_incident(cs_user)
    incident_transition(incident=incident, to="resolved", actor=cs_user, root_cause="x", resolution="y",
                        root_cause_category=cause())
    with pytest.raises(ValidationError):
        incident_review(incident=incident, actor=manager_user, approve=False)
    incident = incident_review(incident=incident, actor=manager_user, approve=False, comment="补充平台截图")
    assert incident.status == IncidentStatus.INVESTIGATING and incident.resolved_at is None
    review = incident.events.get(kind=EventKind.REVIEW)
    assert review.data == {"approved": False, "comment": "补充平台截图", "to": "investigating"}


def test_illegal_transition_and_reopen_needs_reason(cs_user, manager_user):
    incident = open_incident(cs_user)
    incident_transition(incident=incident, to="resolved", actor=cs_user, root_cause="x", resolution="y",
                        root_cause_category=cause())
    with pytest.raises(ValidationError):
        incident_transition(incident=incident, to="waiting_customer", actor=cs_user)
    incident_review(incident=incident, actor=manager_user, approve=True)
    with pytest.raises(ValidationError):
        incident_transition(incident=incident, to="investigating", actor=manager_user)
    incident = incident_transition(incident=incident, to="investigating", actor=manager_user, note="customer called again")
    assert incident.status == "investigating" and incident.closed_at is None and incident.reviewed_by is None


def test_status_changes_write_events_and_first_response(cs_user):
    incident = open_incident(cs_user)
    assert incident.first_response_at is None
    incident = incident_transition(incident=incident, to="waiting_platform", actor=cs_user, note="平台维护")
    assert incident.first_response_at is not None
    event = incident.events.get(kind=EventKind.STATUS_CHANGE)
    assert event.actor == cs_user and event.data["from"] == "new" and event.data["to"] == "waiting_platform"


def test_events_are_append_only(cs_user):
    incident = open_incident(cs_user)
    event = incident.events.get()
    event.message = "edited"
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    with pytest.raises(ValidationError):
        IncidentEvent.objects.filter(pk=event.pk).update(message="x")
    with pytest.raises(ValidationError):
        IncidentEvent.objects.filter(pk=event.pk).delete()


def test_rep_cannot_work_someone_elses_incident(cs_user, manager_user, django_user_model):
    from core.roles import CUSTOMER_SERVICE

    from ..conftest import make_user

    other = make_user(django_user_model, "cs-other", CUSTOMER_SERVICE)
    incident = open_incident(cs_user)
    with pytest.raises(PermissionDenied):
        incident_transition(incident=incident, to="investigating", actor=other)
    incident_transition(incident=incident, to="investigating", actor=manager_user)


def test_checklist_copied_from_playbook_and_ticked(cs_user):
    from incidents.models import Playbook, PlaybookStep
    from incidents.services.steps import incident_step_done

    playbook = Playbook.objects.create(category="invoice_missing", name="missing")
    PlaybookStep.objects.create(playbook=playbook, position=1, title="check input")
    PlaybookStep.objects.create(playbook=playbook, position=2, title="check platform")
    incident = open_incident(cs_user)
    steps = list(incident.steps.all())
    assert [s.title for s in steps] == ["check input", "check platform"]
    incident_step_done(step=steps[0], actor=cs_user, note="tax id ok")
    with pytest.raises(ValidationError):
        incident_step_done(step=steps[0], actor=cs_user)
    assert incident.events.filter(kind=EventKind.STEP_DONE).count() == 1
