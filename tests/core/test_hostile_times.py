"""Times no database column holds (offsets beyond ±14 h, year 201) are a 400 naming the field, on PostgreSQL too
(found by the fuzz run: "time zone displacement out of range")."""
import pytest

from ..incident_helpers import open_incident

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path, param", [
    ("/api/v1/invoices/", "issued_before"), ("/api/v1/invoices/", "issued_after"),
    ("/api/v1/incidents/", "created_after"), ("/api/v1/incidents/", "created_before"),
])
def test_time_filters_refuse_impossible_offsets_and_years(api_as, finance_user, path, param):
    for value in ("4169-03-31T22:50:52-16:36", "0201-11-11T00:00:00+08:00"):
        response = api_as(finance_user).get(path, {param: value})
        assert response.status_code == 400, (param, value, response.status_code)
        assert param in response.json()


def test_a_note_at_an_impossible_time_is_a_400(api_as, cs_user):
    incident = open_incident(actor=cs_user)
    response = api_as(cs_user).post(f"/api/v1/incidents/{incident.pk}/events/",
                                    {"message": "备注", "at": "0201-11-11T10:00:00-20:56"}, format="json")
    assert response.status_code == 400 and "at" in response.json()
