"""What the report and the dashboard state, checked against the rows behind them: surveys counted as sent only
when an email went, one survey per incident ever, outages in clock hours beside business hours, follow-ups overdue
at the period's end (not today), changes of percentages in percentage points, names not logins."""
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.translation import override

from incidents.models import (
    Communication,
    CommunicationPurpose,
    FollowUp,
    FollowUpStatus,
    IncidentCategory,
    IncidentStatus,
    SatisfactionAnswer,
    Severity,
)
from incidents.reporting.content import _points, build_sections
from incidents.reporting.metrics import Metrics
from incidents.reporting.periods import parse_period
from incidents.services.satisfaction import survey_send

from ... import factories
from ...incident_helpers import open_incident
from ...reporting_helpers import NOW, at, incident_at

pytestmark = pytest.mark.django_db


def _resolved_with_customer(cs_user, email="buyer@example.cn"):
    customer = factories.customer(email=email)
    incident = open_incident(cs_user, customer=customer)
    type(incident).objects.filter(pk=incident.pk).update(
        status=IncidentStatus.RESOLVED, resolved_at=timezone.now() - timedelta(hours=1), root_cause="x",
        resolution="y")
    incident.refresh_from_db()
    return incident


def test_surveys_sent_counts_emails_that_went_and_one_survey_per_incident_ever(cs_user, django_capture_on_commit_callbacks):
    surveyed = _resolved_with_customer(cs_user)
    _resolved_with_customer(cs_user, email="other@example.cn")  # resolved, has an email, but no survey was sent
    with django_capture_on_commit_callbacks(execute=True):
        first = survey_send(surveyed)
    assert first is not None and first.purpose == CommunicationPurpose.SURVEY
    # Sent back and resolved again: no second survey.
    assert survey_send(surveyed) is None
    assert Communication.objects.filter(incident=surveyed, purpose=CommunicationPurpose.SURVEY).count() == 1

    first.refresh_from_db()
    total = Metrics(period=parse_period("7")).satisfaction()["total"]
    sent_rows = Communication.objects.filter(purpose=CommunicationPurpose.SURVEY, sent_at__isnull=False).count()
    assert total["sent"] == sent_rows == (1 if first.sent_at else 0)
    assert total["answered"] == SatisfactionAnswer.objects.count() == 0


def test_a_weekend_outage_is_shown_in_clock_hours_beside_business_hours(cs_user):
    # Saturday 2026-10-24 11:12 to Monday 2026-10-26 13:27: 50 h 15 min on the clock.
    outage = incident_at(owner=cs_user, severity=Severity.SEV1, detected=at(10, 24, 11, 12), fault=at(10, 24, 11, 12),
                         first=at(10, 24, 11, 30), resolved=at(10, 26, 13, 27))
    type(outage).objects.filter(pk=outage.pk).update(category=IncidentCategory.PLATFORM_OUTAGE)
    m = Metrics(period=parse_period("2026-10"), now=NOW)
    h = m.headline()
    assert h["outages"] == 1 and h["outage"] == (50 * 60 + 15) * 60
    assert h["mttr"] < h["outage"]  # business hours leave out the weekend
    with override("zh-hans"):
        rows = {row[0]: row for row in build_sections(period=parse_period("2026-10"), now=NOW)[0].rows}
    assert rows["平台故障恢复时长（自然小时）"][1] == "50 小时 15 分（1 次故障）"
    assert "平均解决时长（工作小时）" in rows


def test_overdue_follow_ups_are_measured_at_the_period_end(cs_user, django_user_model):
    cs_user.first_name, cs_user.last_name = "李晓红", ""
    cs_user.save()
    incident = open_incident(cs_user)
    due_in_november = FollowUp.objects.create(incident=incident, title="回访", assignee=cs_user,
                                              due_at=at(11, 3, 10), status=FollowUpStatus.OPEN)
    overdue_in_october = FollowUp.objects.create(incident=incident, title="回电", assignee=cs_user,
                                                 due_at=at(10, 30, 10), status=FollowUpStatus.OPEN)
    done_late = FollowUp.objects.create(incident=incident, title="寄送", assignee=cs_user, due_at=at(10, 29, 10),
                                        completed_at=at(11, 2, 10), status=FollowUpStatus.DONE)
    done_in_time = FollowUp.objects.create(incident=incident, title="核对", assignee=cs_user, due_at=at(10, 29, 10),
                                           completed_at=at(10, 29, 9), status=FollowUpStatus.DONE)
    m = Metrics(period=parse_period("2026-10"), now=NOW)
    assert set(m.overdue()) == {overdue_in_october, done_late}
    assert due_in_november not in m.overdue() and done_in_time not in m.overdue()
    assert [(r["label"], r["n"]) for r in m.overdue_followups()] == [("李晓红", 2)]
    with override("zh-hans"):
        section = next(s for s in build_sections(period=parse_period("2026-10"), now=NOW) if s.key == "overdue")
    assert str(section.title) == "截至 2026-11-01 00:00 逾期的跟进事项"
    assert {row[2] for row in section.rows} == {"李晓红"}  # the name, never the login


def test_percentage_changes_read_in_percentage_points():
    with override("zh-hans"):
        assert _points(66.7, 68.2) == "-1.5 个百分点"
        assert _points(None, 50.0) == ""
