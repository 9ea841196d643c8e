"""The 管理报表 list offers 生成报表 to managers: the chosen period's report is built by a job and listed."""
import pytest
from django.urls import reverse

from incidents.models import Report, ReportKind

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_manager_generates_a_report_from_the_list(client, manager_user, django_capture_on_commit_callbacks):
    client.force_login(manager_user)
    listing = client.get(reverse("admin:incidents_report_changelist"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert reverse("admin:incidents_report_generate") in listing.content.decode()
    page = client.get(reverse("admin:incidents_report_generate"))
    assert page.status_code == 200 and 'name="period"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:incidents_report_generate"), {"period": "30", "team": ""})
    assert response.status_code == 302 and response["Location"] == reverse("admin:incidents_report_changelist")
    report = Report.objects.get()
    assert report.kind == ReportKind.ON_DEMAND and report.created_by == manager_user
    assert report.xlsx_file and report.pdf_file
    listing = client.get(reverse("admin:incidents_report_changelist")).content.decode()
    assert reverse("admin:incidents_report_file", args=[report.pk, "pdf"]) in listing


def test_the_generate_page_refuses_a_rep_and_an_unknown_period(client, cs_user, manager_user):
    client.force_login(cs_user)
    assert client.get(reverse("admin:incidents_report_generate")).status_code == 403
    client.force_login(manager_user)
    response = client.post(reverse("admin:incidents_report_generate"), {"period": "2026-13"})
    assert response.status_code == 200 and Report.objects.count() == 0
    assert "period" in response.context["form"].errors
