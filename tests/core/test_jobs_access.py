"""作业 in the admin and the API: who sees the list and who may press 重试, the same rule in both."""
import pytest
from django.urls import reverse

from core.jobs.models import Job, JobStatus

from ..conftest import make_user

pytestmark = pytest.mark.django_db


def _failed(name, area):
    return Job.objects.create(name=name, area=area, status=JobStatus.FAILED, attempts=6, max_attempts=6,
                              params={"invoice_id": 1, "email": "a@example.cn", "actor_id": None},
                              last_error="SMTPServerDisconnected: Connection unexpectedly closed")


@pytest.fixture
def jobs():
    return {"invoices": _failed("reissue.redeliver", "invoices"),
            "incidents": _failed("incidents.periodic_report", "incidents")}


@pytest.mark.parametrize("role, retries", [("finance", {"invoices"}), ("manager", {"incidents"}), ("cs", set())])
def test_the_admin_and_the_api_let_the_same_people_retry(role, retries, jobs, client, api, django_user_model,
                                                         django_capture_on_commit_callbacks):
    from .. import conftest

    user = make_user(django_user_model, f"{role}-j", conftest.ROLE_GROUPS[role])
    client.force_login(user)
    api.force_authenticate(user)
    listing = client.get(reverse("admin:core_job_changelist"))
    assert listing.status_code == (403 if role == "cs" else 200)
    assert api.get("/api/v1/jobs/").status_code == (403 if role == "cs" else 200)
    for area, row in jobs.items():
        if role != "cs":
            page = client.get(reverse("admin:core_job_change", args=[row.pk])).content.decode()
            assert ("core/job/%d/retry/" % row.pk in page) == (area in retries)
            assert "SMTPServerDisconnected" in page
        via_api = api.post(f"/api/v1/jobs/{row.pk}/retry/")
        assert via_api.status_code == (200 if area in retries else 403), (area, via_api.content)
        row.refresh_from_db()
        assert (row.status == JobStatus.QUEUED) == (area in retries)
        if area in retries:  # once queued again, a second 重试 is a clear refusal, in the admin too
            assert api.post(f"/api/v1/jobs/{row.pk}/retry/").status_code == 409
            Job.objects.filter(pk=row.pk).update(status=JobStatus.FAILED)
            with django_capture_on_commit_callbacks(execute=False):
                response = client.post(reverse("admin:core_job_retry", args=[row.pk]), follow=True)
            assert response.status_code == 200
            row.refresh_from_db()
            assert row.status == JobStatus.QUEUED and row.attempts == 0
            assert [e.kind for e in row.events.all()] == ["retried", "retried"]


def test_the_list_speaks_chinese_and_shows_no_raw_parameters(jobs, client, django_user_model):
    from .. import conftest

    user = make_user(django_user_model, "mgr-j", conftest.ROLE_GROUPS["manager"])
    client.force_login(user)
    page = client.get(reverse("admin:core_job_changelist"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "作业" in page and "失败" in page and "重试" in page
    assert "{&quot;" not in page and '{"invoice_id"' not in page


def test_each_home_counts_its_side_s_failed_jobs_and_links_to_them(jobs, client, django_user_model):
    from .. import conftest

    Job.objects.create(name="incidents.tick", area="incidents", status=JobStatus.DONE)  # not counted
    for role, area in (("finance", "invoices"), ("manager", "incidents")):
        user = make_user(django_user_model, f"{role}-home", conftest.ROLE_GROUPS[role])
        client.force_login(user)
        page = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        link = f"/admin/core/job/?status__exact=failed&amp;area__exact={area}"
        assert "失败的后台作业" in page and link in page
        row = page[page.index(link) - 400: page.index(link) + 400]
        expected = Job.objects.filter(status="failed", area=area).count()
        assert f">{expected}<" in row.replace(" ", ""), row
        listing = client.get(link.replace("&amp;", "&")).content.decode()
        assert listing.count('class="action-checkbox"') == expected
