"""Reminders before the due time and one escalation after it, both counted in business hours."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from incidents.models import EventKind
from incidents.services.followups import (
    followup_assign,
    followup_complete,
    followup_create,
    followups_remind_and_escalate,
)
from incidents.jobs import tick

from ..incident_helpers import open_incident

SH = ZoneInfo("Asia/Shanghai")
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_reference_data")]


def at(*args):
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def manager(manager_user):
    manager_user.email = "boss@example.cn"
    manager_user.save(update_fields=["email"])
    return manager_user


def run(now, callbacks):
    with callbacks(execute=True):
        return followups_remind_and_escalate(now=now)


def test_reminder_once_then_single_escalation(cs_user, manager, django_capture_on_commit_callbacks):
    cs_user.email = "rep@example.cn"
    cs_user.save(update_fields=["email"])
    incident = open_incident(cs_user)
    fu = followup_create(actor=cs_user, title="回电客户", incident=incident, due_at=at(2025, 9, 29, 15))
    assert run(at(2025, 9, 29, 13, 30), django_capture_on_commit_callbacks) == (0, 0)  # 1.5 working hours left
    assert run(at(2025, 9, 29, 14, 10), django_capture_on_commit_callbacks) == (1, 0)
    assert run(at(2025, 9, 29, 14, 20), django_capture_on_commit_callbacks) == (0, 0)
    assert [m.to for m in mail.outbox] == [["rep@example.cn"]]
    assert run(at(2025, 9, 29, 16, 30), django_capture_on_commit_callbacks) == (0, 0)  # 1.5h overdue < 2h
    assert run(at(2025, 9, 30, 9, 30), django_capture_on_commit_callbacks) == (0, 1)  # 3h + 0.5h overdue
    assert run(at(2025, 10, 2, 9, 30), django_capture_on_commit_callbacks) == (0, 0)  # never twice
    fu.refresh_from_db()
    assert fu.reminder_sent_at == at(2025, 9, 29, 14, 10) and fu.escalated_at == at(2025, 9, 30, 9, 30)
    assert mail.outbox[-1].to == ["boss@example.cn"]
    assert incident.events.filter(kind=EventKind.FOLLOW_UP).count() == 3  # created, reminded, escalated


def test_escalation_waits_over_the_weekend(cs_user, manager, django_capture_on_commit_callbacks):
    followup_create(actor=cs_user, title="周五回电", incident=open_incident(cs_user), due_at=at(2025, 9, 26, 17, 30))
    # Friday 17:30 → Monday 9:00 is only half a working hour overdue.
    assert run(at(2025, 9, 29, 9), django_capture_on_commit_callbacks)[1] == 0
    assert run(at(2025, 9, 29, 11), django_capture_on_commit_callbacks)[1] == 1


def test_completed_followups_are_left_alone(cs_user, manager, django_capture_on_commit_callbacks):
    fu = followup_create(actor=cs_user, title="x", incident=open_incident(cs_user), due_at=at(2025, 9, 29, 15))
    followup_complete(followup=fu, actor=cs_user)
    assert run(at(2025, 9, 30, 17), django_capture_on_commit_callbacks) == (0, 0)
    with pytest.raises(ValidationError):
        followup_complete(followup=fu, actor=cs_user)


def test_assignment_rules(cs_user, manager, django_user_model):
    from core.roles import CUSTOMER_SERVICE

    from ..conftest import make_user

    other = make_user(django_user_model, "cs-b", CUSTOMER_SERVICE)
    incident = open_incident(cs_user)
    with pytest.raises(PermissionDenied):
        followup_create(actor=cs_user, assignee=other, title="x", incident=incident, due_at=at(2025, 9, 29, 15))
    fu = followup_create(actor=manager, assignee=other, title="x", incident=incident, due_at=at(2025, 9, 29, 15))
    with pytest.raises(PermissionDenied):
        followup_complete(followup=fu, actor=cs_user)  # not the assignee
    with pytest.raises(PermissionDenied):
        followup_assign(followup=fu, assignee=cs_user, actor=other)
    fu = followup_assign(followup=fu, assignee=cs_user, actor=manager)
    assert fu.assignee == cs_user and fu.assigned_by == manager
    followup_complete(followup=fu, actor=cs_user)


def test_scheduled_tick_runs(cs_user, manager):
    assert tick() == {"reminded": 0, "escalated": 0, "emails_retried": 0}


def test_schedule_row_exists():
    from django_q.models import Schedule

    from incidents.schedules import TICK_NAME, ensure_schedules

    assert Schedule.objects.filter(name=TICK_NAME).count() == 1  # created by migration 0003
    ensure_schedules()
    assert Schedule.objects.filter(name=TICK_NAME).count() == 1
