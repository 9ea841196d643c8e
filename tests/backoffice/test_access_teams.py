"""Teams in the services: the same rule the admin and API querysets apply (incidents/access.py, incidents/selectors.py)."""
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from incidents.services.followups import followup_create
from incidents.services.incidents import incident_update
from incidents.services.timeline import incident_note_add

from ..access_helpers import build_world
from ..incident_helpers import open_incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(django_user_model, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world(django_user_model)


def test_a_reps_incident_and_follow_up_belong_to_their_team(world):
    users, objects, teams = world
    assert objects["incidents"].team == teams["A"] and objects["follow-ups"].team == teams["A"]
    assert open_incident(users["cs_b"]).team == teams["B"]
    assert open_incident(None).team is None  # the system's incidents start in the shared queue


def test_another_teams_rep_is_refused_by_the_services(world):
    users, objects, teams = world
    incident = objects["incidents"]
    with pytest.raises(PermissionDenied):
        incident_note_add(incident=incident, actor=users["cs_b"], message="peek")
    with pytest.raises(PermissionDenied):
        incident_update(incident=incident, actor=users["cs_b"], title="mine now")
    with pytest.raises(PermissionDenied):
        followup_create(actor=users["cs_b"], title="x", due_at=timezone.now() + timedelta(hours=1), incident=incident)
    with pytest.raises(ValidationError):
        incident_update(incident=incident, actor=users["cs_a"], team=teams["B"])
    with pytest.raises(ValidationError):
        open_incident(users["cs_a"], team=teams["B"])
    # A manager moves it; then team B's rep may pick it up (it is still cs_a's, so only a manager works it).
    incident = incident_update(incident=incident, actor=users["manager"], team=teams["B"], owner=None)
    incident_note_add(incident=incident, actor=users["cs_b"], message="taking over")
    incident = incident_update(incident=incident, actor=users["cs_b"], owner=users["cs_b"])
    with pytest.raises(PermissionDenied):
        incident_note_add(incident=incident, actor=users["cs_a"], message="gone")


def test_shared_queue_is_visible_to_every_rep(world, api_as):
    users, _objects, _teams = world
    shared = open_incident(None)
    for rep in ("cs_a", "cs_b"):
        assert api_as(users[rep]).get(f"/api/v1/incidents/{shared.pk}/").status_code == 200
    ids = {row["id"] for row in api_as(users["cs_b"]).get("/api/v1/incidents/").json()["results"]}
    assert shared.pk in ids and _objects["incidents"].pk not in ids
