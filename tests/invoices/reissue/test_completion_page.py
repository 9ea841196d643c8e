"""The request page says where the background completion stands, and offers 重试 when nothing will finish it."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.jobs.models import Job, JobStatus
from invoices.reissue.models import ReissueStatus
from invoices.reissue.services.completion import completion_job
from invoices.reissue.services.reissue import invoice_reissue_approve

from ...reissue_helpers import blue, request_full

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(seller, customer, finance_user, finance_user2, django_capture_on_commit_callbacks):
    req = request_full(blue(seller, customer, "1000.00"), finance_user)
    with django_capture_on_commit_callbacks(execute=False):  # approved; the worker has not run it yet
        invoice_reissue_approve(request=req, actor=finance_user2)
    req.refresh_from_db()
    return req


def _page(client, user, req):
    client.force_login(user)
    return client.get(reverse("admin:invoices_reissuerequest_change", args=[req.pk]),
                      HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def test_a_retry_waiting_for_the_platform_says_when_and_why(approved, client, finance_user2):
    job = completion_job(approved)
    next_try = timezone.now() + timedelta(minutes=2)
    Job.objects.filter(pk=job.pk).update(attempts=2, next_try_at=next_try,
                                         last_error="PlatformUnavailable: simulated outage")
    page = _page(client, finance_user2, approved)
    assert "第 2 次尝试失败" in page and timezone.localtime(next_try).strftime("%H:%M:%S") in page
    assert "simulated outage" in page
    assert 'value="retry"' not in page  # the job will retry by itself


@pytest.mark.parametrize("state", ["gave_up", "lease_lapsed"])
def test_a_stalled_completion_offers_retry_and_retry_finishes_it(state, approved, client, finance_user2,
                                                                  django_capture_on_commit_callbacks):
    job = completion_job(approved)
    if state == "gave_up":
        Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, attempts=6, last_error="boom")
    else:  # a worker claimed it and died
        Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=1,
                                             lease_until=timezone.now() - timedelta(seconds=1))
    page = _page(client, finance_user2, approved)
    assert "后台作业已停止" in page and 'value="retry"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:invoices_reissuerequest_act", args=[approved.pk]), {"action": "retry"})
    assert response.status_code == 302
    approved.refresh_from_db()
    assert approved.status == ReissueStatus.COMPLETED and approved.red_invoice and approved.new_invoice
