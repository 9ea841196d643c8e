"""Each dashboard/report figure against a hand-built October 2026 with 国庆 holidays and a 调休 Saturday."""
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import override

from incidents.reporting.clock import BusinessClock
from incidents.reporting.formats import format_business, format_percent, format_yuan
from incidents.reporting.metrics import Metrics
from incidents.reporting.periods import last_month, last_week, parse_period

from ...conftest import make_user
from ...reporting_helpers import NOW, at, october

pytestmark = pytest.mark.django_db

H = 3600


@pytest.fixture
def story(cs_user, django_user_model):
    cs2 = make_user(django_user_model, "cs2", "客服")
    return {**october(cs_user, cs2), "cs": cs_user, "cs2": cs2}


def test_business_clock_skips_holidays_and_counts_makeup_days():
    clock = BusinessClock()
    assert clock.seconds(at(10, 8, 10), at(10, 9, 11)) == 10 * H
    assert clock.seconds(at(9, 30, 17), at(10, 10, 10)) == 20 * H  # 国庆 off, 10-10 (Saturday) worked
    assert clock.seconds(at(10, 1, 10), at(10, 8, 10)) == 1 * H
    assert clock.seconds(at(10, 10, 10), at(10, 11, 10)) == 8 * H  # Sunday 10-11 off


def test_periods():
    assert parse_period("2026-10").start.isoformat() == "2026-10-01T00:00:00+08:00"
    assert parse_period("2026-10").end.isoformat() == "2026-11-01T00:00:00+08:00"
    week = parse_period("2026-W48")
    assert (week.first_day, week.last_day) == (date(2026, 11, 23), date(2026, 11, 29))
    assert parse_period("2026-10").previous().key == "2026-09"
    assert last_month(date(2026, 12, 1)).key == "2026-11"
    assert last_week(date(2026, 11, 30)).key == "2026-W48"
    for bad in ("2026-13", "2026-W60", "11", "next month"):
        with pytest.raises(ValidationError) as exc:
            parse_period(bad)
        assert "period" in exc.value.message_dict


def test_formats():
    with override("zh-hans"):
        assert format_business(3 * H + 20 * 60) == "3 小时 20 分"
    assert format_business(None) == "" and format_percent(0, 0) == ""
    assert format_percent(2, 3) == "67%" and format_yuan("1234.5") == "¥1,234.50"


def test_headline(story):
    h = Metrics(period=parse_period("2026-10"), now=NOW).headline()
    assert (h["opened"], h["resolved"], h["open_now"]) == (3, 3, 1)  # opened A C D; resolved A B D; open C
    assert (h["response_met"], h["response_total"]) == (2, 3)  # D answered late
    assert (h["resolve_met"], h["resolve_total"]) == (2, 3)  # C's target passed unresolved
    assert h["mttr"] == (10 + 20 + 3) / 3 * H
    assert h["mttd"] == 0.5 * H
    assert h["first_response"] == (1 + 1 + 2) / 3 * H


def test_buckets_show_empty_days_as_empty(story):
    rows = {r["bucket"]: r for r in Metrics(period=parse_period("2026-10"), now=NOW).per_bucket()}
    assert len(rows) == 31
    assert rows[date(2026, 10, 1)]["opened"] == 1 and rows[date(2026, 10, 1)]["resolved"] == 0
    assert rows[date(2026, 10, 10)]["resolved"] == 1 and rows[date(2026, 10, 10)]["mttr"] == 20 * H
    assert rows[date(2026, 10, 12)]["response_met"] == 0 and rows[date(2026, 10, 12)]["response_total"] == 1
    assert rows[date(2026, 10, 2)]["response_total"] == 0 and rows[date(2026, 10, 2)]["mttr"] is None


def test_week_buckets(story):
    period = parse_period("90", today=date(2026, 11, 4))
    rows = Metrics(period=period, now=NOW).per_bucket()
    assert period.bucket == "week" and all(r["bucket"].weekday() == 0 for r in rows)
    assert sum(r["opened"] for r in rows) == 4 and sum(r["resolved"] for r in rows) == 3


def test_root_causes_people_and_followups(story):
    m = Metrics(period=parse_period("2026-10"), now=NOW)
    assert [(r["code"], r["n"]) for r in m.root_causes()] == [("data_entry", 2), ("platform_fault", 1)]
    people = {p["label"]: p for p in m.people()}
    cs, cs2 = people["cs"], people["cs2"]
    assert (cs["handled"], cs2["handled"]) == (2, 1)
    assert cs["resolution"] == 15 * H and cs2["resolution"] == 3 * H
    assert cs["first_response"] == 1 * H and cs2["first_response"] == 2 * H
    assert (cs["response_met"], cs["response_total"], cs["resolve_met"], cs["resolve_total"]) == (2, 2, 1, 2)
    assert (cs2["response_met"], cs2["response_total"]) == (0, 1)
    assert (cs["followups_on_time"], cs["followups_total"]) == (1, 2)
    assert (cs2["followups_on_time"], cs2["followups_total"]) == (0, 1)
    assert [(r["label"], r["n"]) for r in m.overdue_followups()] == [("cs2", 1)]


def test_team_filter(story, django_user_model):
    from incidents.models import Incident, Team

    team = Team.objects.create(name="北京组")
    Incident.objects.filter(pk=story["d"].pk).update(team=team)
    h = Metrics(period=parse_period("2026-10"), team=team, now=NOW).headline()
    assert (h["opened"], h["resolved"], h["response_met"], h["response_total"]) == (1, 1, 0, 1)


def test_every_link_lists_the_rows_behind_the_figure(story, client, manager_user):
    """The dashboard's links open the admin list filtered to exactly the incidents counted."""
    from urllib.parse import urlencode

    m = Metrics(period=parse_period("2026-10"), now=NOW)
    client.force_login(manager_user)
    changelist = reverse("admin:incidents_incident_changelist")

    def listed(params):
        r = client.get(f"{changelist}?{urlencode(params)}")
        assert r.status_code == 200 and "e=1" not in r.get("Location", "")
        return {o.pk for o in r.context["cl"].result_list}

    h = m.headline()
    assert listed(h["links"]["opened"]) == {story[k].pk for k in "acd"}
    assert listed(h["links"]["resolved"]) == {story[k].pk for k in "abd"}
    assert listed(m.root_causes()[0]["link"]) == {story["a"].pk, story["d"].pk}
    rows = {r["bucket"]: r for r in m.per_bucket()}
    assert listed(rows[date(2026, 10, 12)]["links"]["breached"]) == {story["d"].pk}
    cell = next(c for r in m.open_grid()["rows"] for c in r["cells"] if c["n"])
    assert listed(cell["link"]) == {story["c"].pk}
    person = next(p for p in m.people() if p["label"] == "cs")
    assert listed(person["link"]) == {story["a"].pk, story["b"].pk}
    overdue = m.overdue_followups()[0]["link"]
    r = client.get(f"{reverse('admin:incidents_followup_changelist')}?{urlencode(overdue)}")
    assert r.status_code == 200 and len(r.context["cl"].result_list) == 1


def test_dashboard_page(story, client, manager_user, cs_user):
    url = reverse("admin:incidents_dashboard")
    client.force_login(cs_user)
    assert client.get(url).status_code == 403
    client.force_login(manager_user)
    r = client.get(url, {"period": "2026-10"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 200
    body = r.content.decode()
    assert "incidents/vendor/echarts.min.js" in body and 'title="2/3"' in body and "67%" in body
    assert "11 小时 0 分" in body  # MTTR (10 + 20 + 3) / 3 business hours
    bad = client.get(url, {"period": "2026-13"})
    assert bad.status_code == 400 and "period" in bad.context["form"].errors
