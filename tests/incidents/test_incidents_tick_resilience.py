"""The scheduled pass (incidents.jobs.tick) survives a connection closed under it and runs every part even when
one fails. django-q2's ORM broker closes old connections when a task is queued; with DB_CONN_MAX_AGE=0 that is
every connection, so nothing may iterate a server-side cursor across async_task."""
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from incidents.models import FollowUp
from incidents.services.followups import followup_create
from incidents.jobs import tick

from ..incident_helpers import open_incident

pytestmark = pytest.mark.usefixtures("no_reference_data")


def _followups(cs_user, manager_user):
    cs_user.email, manager_user.email = "rep@example.cn", "boss@example.cn"
    cs_user.save(update_fields=["email"])
    manager_user.save(update_fields=["email"])
    incident = open_incident(cs_user)
    now = timezone.now()
    for n in range(3):  # due within a minute: inside the reminder window whatever the calendar says
        followup_create(actor=cs_user, title=f"回电 {n}", incident=incident, due_at=now + timedelta(minutes=1 + n))
    for n in range(2):  # weeks overdue: past the escalation threshold on any calendar
        followup_create(actor=cs_user, title=f"逾期 {n}", incident=incident, due_at=now - timedelta(days=21 + n))


def _closing_async_task(*args, **kwargs):
    connection.close()


@pytest.mark.postgres  # SQLite's in-memory test database ignores close(), so only PostgreSQL shows the failure
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_tick_survives_queueing_that_closes_the_connection(cs_user, manager_user):
    _followups(cs_user, manager_user)
    with mock.patch("core.jobs.enqueue.async_task", _closing_async_task):
        result = tick()
    assert result == {"reminded": 3, "escalated": 2, "emails_retried": 0}
    assert FollowUp.objects.filter(reminder_sent_at__isnull=False).count() == 3
    assert FollowUp.objects.filter(escalated_at__isnull=False).count() == 2


@pytest.mark.django_db
def test_each_part_of_the_pass_runs_after_an_earlier_one_failed(cs_user, manager_user):
    _followups(cs_user, manager_user)
    with mock.patch("incidents.jobs.followups_remind", side_effect=RuntimeError("reminder broke")), \
            mock.patch("core.jobs.enqueue.async_task"):
        with pytest.raises(RuntimeError, match="reminded: RuntimeError: reminder broke"):
            tick()  # the job fails with the part's error, so the job list shows it
    assert FollowUp.objects.filter(escalated_at__isnull=False).count() == 2
