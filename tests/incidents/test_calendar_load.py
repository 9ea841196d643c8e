"""A year's 放假/调休 notice loaded from a file (all or nothing, naming each bad line), the due times it moves, the
2026 中秋节 in the default calendar, and the managers' warning in December while next year is missing."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from incidents import sla
from incidents.models import CalendarDay, CalendarDayKind, Incident, Severity, WorkCalendar
from incidents.services.calendar_load import next_year_missing

from ..incident_helpers import open_incident

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def test_mid_autumn_2026_is_a_holiday_of_the_default_calendar():
    spec = sla.load_calendar()
    assert not spec.is_working_day(date(2026, 9, 25))
    # Detected Thursday 24 September 17:00, sev3 (4 business hours to respond): Friday is 中秋节, the weekend
    # follows, so the answer is due Monday 28 September at 12:00.
    response, _resolve = sla.due_times(Severity.SEV3, datetime(2026, 9, 24, 17, 0, tzinfo=TZ), spec)
    assert response == datetime(2026, 9, 28, 12, 0, tzinfo=TZ)


def _write(tmp_path, text):
    path = tmp_path / "2027.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_calendar_replaces_the_year_and_moves_due_times(tmp_path, cs_user, capsys):
    incident = open_incident(cs_user, severity=Severity.SEV3)
    detected = datetime(2027, 1, 29, 17, 0, tzinfo=TZ)  # a Friday; Monday 1 February will be a holiday
    response, resolve = sla.due_times(Severity.SEV3, detected)
    Incident.objects.filter(pk=incident.pk).update(detected_at=detected, response_due_at=response,
                                                   resolve_due_at=resolve)
    assert response == datetime(2027, 2, 1, 12, 0, tzinfo=TZ)
    path = _write(tmp_path, "date,kind,name\n2027-02-01,放假,测试假日\n2027-02-06,上班,测试调休\n")
    call_command("load_calendar", str(path))
    out = capsys.readouterr().out
    assert "2027: 1 holidays, 1 make-up working days" in out and "moved on 1 incidents" in out
    incident.refresh_from_db()
    assert incident.response_due_at == datetime(2027, 2, 2, 12, 0, tzinfo=TZ)
    # Loading a corrected notice replaces that year's days.
    call_command("load_calendar", str(_write(tmp_path, "2027-02-02,holiday,更正\n")))
    days = list(CalendarDay.objects.filter(date__year=2027).values_list("date", "kind"))
    assert days == [(date(2027, 2, 2), CalendarDayKind.HOLIDAY)]
    incident.refresh_from_db()
    assert incident.response_due_at == datetime(2027, 2, 1, 12, 0, tzinfo=TZ)


@pytest.mark.parametrize("text, message", [
    ("2027-13-01,放假,x\n", "Line 1: date 2027-13-01 is not YYYY-MM-DD."),
    ("2027-02-01,休息日,x\n", "Line 1: kind 休息日 is neither 放假"),
    ("2027-01-01,放假,元旦\n2027-02-01,放假,x\n2027-02-01,上班,y\n", "Line 3: 2027-02-01 is listed twice."),
    ("date,kind,name\n", "The file lists no days."),
])
def test_a_bad_file_changes_nothing_and_names_the_line(tmp_path, text, message):
    before = CalendarDay.objects.count()
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        call_command("load_calendar", str(_write(tmp_path, text)))
    assert CalendarDay.objects.count() == before


def test_managers_are_warned_in_december_while_next_year_is_missing(client, manager_user, tmp_path):
    assert next_year_missing(date(2026, 11, 30)) is None
    assert next_year_missing(date(2026, 12, 1)) == 2027
    client.force_login(manager_user)
    page = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    today = date.today()
    if today.month == 12 and not CalendarDay.objects.filter(date__year=today.year + 1).exists():
        assert f"{today.year + 1} 年的放假和调休安排尚未导入" in page
    call_command("load_calendar", str(_write(tmp_path, f"{date.today().year + 1}-01-01,放假,元旦\n")))
    assert next_year_missing(date(date.today().year, 12, 1)) is None
    page = client.get(reverse("admin:index")).content.decode()
    assert "年的放假和调休安排尚未导入" not in page
    assert WorkCalendar.objects.filter(is_default=True).count() == 1
