"""The periodic report: same numbers as the dashboard, in the XLSX cells and the PDF text; schedules; email."""
import subprocess
from datetime import date

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils.translation import override
from django_q.models import Schedule
from openpyxl import load_workbook

from incidents.models import Report, ReportKind
from incidents.reporting.formats import format_business, format_percent
from incidents.reporting.metrics import Metrics
from incidents.reporting.periods import parse_period
from incidents.schedules import first_report_run
from incidents.services.reports import periodic_report_send, report_build

from ...conftest import make_user
from ...reporting_helpers import NOW, TZ, october
from ...system_tools import require

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def story(cs_user, django_user_model):
    cs2 = make_user(django_user_model, "cs2", "客服")
    return october(cs_user, cs2)


def test_schedules_exist_after_migrate():
    from core.jobs.schedules import RUN_SCHEDULED

    weekly = Schedule.objects.get(func=RUN_SCHEDULED, schedule_type="W")
    monthly = Schedule.objects.get(func=RUN_SCHEDULED, schedule_type="M")
    assert weekly.args == "('incidents.periodic_report', {'kind': 'weekly'})"
    assert monthly.args == "('incidents.periodic_report', {'kind': 'monthly'})"
    for schedule in (weekly, monthly):
        local = schedule.next_run.astimezone(TZ)
        assert (local.hour, local.minute) == (9, 0)
    assert weekly.next_run.astimezone(TZ).weekday() == 0 and monthly.next_run.astimezone(TZ).day == 1


def test_first_run_times():
    from datetime import datetime

    monday_late = datetime(2026, 11, 30, 10, 0, tzinfo=TZ)
    assert first_report_run("weekly", monday_late) == datetime(2026, 12, 7, 9, 0, tzinfo=TZ)
    assert first_report_run("weekly", datetime(2026, 11, 30, 8, 0, tzinfo=TZ)) == datetime(2026, 11, 30, 9, 0,
                                                                                            tzinfo=TZ)
    assert first_report_run("monthly", datetime(2026, 12, 1, 9, 0, tzinfo=TZ)) == datetime(2027, 1, 1, 9, 0, tzinfo=TZ)


def _figures():
    h = Metrics(period=parse_period("2026-10"), now=NOW).headline()
    return {
        "opened": h["opened"], "resolved": h["resolved"],
        "response": format_percent(h["response_met"], h["response_total"]),
        "mttr": format_business(h["mttr"]),
    }


def test_command_writes_files_holding_the_dashboard_numbers(story, tmp_path, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: NOW)
    with override("zh-hans"):
        figures = _figures()
    assert figures == {"opened": 3, "resolved": 3, "response": "67%", "mttr": "11 小时 0 分"}
    call_command("incident_report", period="2026-10", format="xlsx,pdf", output=str(tmp_path / "out"))
    xlsx, pdf = tmp_path / "out" / "incident-report-2026-10.xlsx", tmp_path / "out" / "incident-report-2026-10.pdf"
    wb = load_workbook(xlsx)
    headline = {row[0]: row[1:] for row in wb.worksheets[0].iter_rows(min_row=3, values_only=True)}
    assert headline["已创建"][0] == 3 and headline["已解决"][0] == 3
    # Percentages and amounts are numbers with a format, so they sum and sort in Excel.
    cell = next(row for row in wb.worksheets[0].iter_rows(min_row=3) if row[0].value == "按时响应")[1]
    assert cell.value == pytest.approx(2 / 3) and cell.number_format == "0%"
    assert headline["平均解决时长（工作小时）"][0] == "11 小时 0 分"
    assert wb.worksheets[0]["A1"].value.startswith("事件报告 2026-10") and "编制日期：2026-11-05" in wb.worksheets[0]["A1"].value
    assert all(ws._charts for ws in wb.worksheets if ws.title in ("新建与解决的事件", "主要根因"))
    longest = next(ws for ws in wb.worksheets if ws.title == "最长的十个事件")
    assert [r[2] for r in longest.iter_rows(min_row=3, values_only=True)] == ["20 小时 0 分", "10 小时 0 分",
                                                                             "3 小时 0 分"]
    require("pdftotext", "pdffonts")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for needle in ("事件报告 2026-10", "67%", "11 小时 0 分", story["d"].reference, "录入错误", "平台故障",
                   "工作小时", "自然小时", "编制单位：", "编制日期：2026-11-05"):
        assert needle in text, needle
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "WenQuanYi" in fonts and " yes " in fonts  # embedded
    report = Report.objects.get()
    assert report.kind == ReportKind.ON_DEMAND and report.period_start == date(2026, 10, 1) and report.xlsx_file


def test_command_refuses_bad_input(tmp_path):
    with pytest.raises(CommandError, match="--period"):
        call_command("incident_report", period="2026-13", output=str(tmp_path))
    with pytest.raises(CommandError, match="--week"):
        call_command("incident_report", week="2026-11", output=str(tmp_path))
    with pytest.raises(CommandError, match="--format"):
        call_command("incident_report", period="2026-10", format="docx", output=str(tmp_path))


def test_periodic_report_is_emailed_once_to_managers(story, manager_user, django_capture_on_commit_callbacks):
    manager_user.email = "boss@example.com"
    manager_user.save()
    # The email is recorded with the report and goes out by its delivery job after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        report = periodic_report_send(kind="monthly", today=date(2026, 11, 1))
    report.refresh_from_db()
    assert report.period == "2026-10" and report.sent_at is not None
    assert list(report.recipients.all()) == [manager_user]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["boss@example.com"]
    names = sorted(a[0] for a in mail.outbox[0].attachments)
    assert names[0].endswith(".pdf") and names[1].endswith(".xlsx")
    with django_capture_on_commit_callbacks(execute=True):
        periodic_report_send(kind="monthly", today=date(2026, 11, 1))  # a retried task sends nothing more
    assert len(mail.outbox) == 1 and Report.objects.count() == 1


def test_report_admin_downloads_for_managers_only(story, client, manager_user, cs_user):
    report = report_build(period=parse_period("2026-10"), formats=("pdf",))
    url = reverse("admin:incidents_report_file", args=[report.pk, "pdf"])
    client.force_login(cs_user)
    assert client.get(url).status_code == 403
    client.force_login(manager_user)
    r = client.get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    assert client.get(reverse("admin:incidents_report_changelist")).status_code == 200
