"""A reaction to an invoice fact is a job written with the fact: a failure is a failed job with its error that a
manager retries, never a log line; a rolled-back fact leaves no reaction."""
from unittest import mock

import pytest
from django.db import transaction

from core.jobs.models import Job, JobStatus
from incidents.models import Incident
from invoices import signals

from ..conftest import make_user

pytestmark = pytest.mark.django_db


def _verify_failed(invoice, capture):
    with capture(execute=True):
        with transaction.atomic():
            signals.invoice_verify_failed.send(sender=None, invoice_id=invoice.pk, outcome="missing", detail={})


def test_a_failing_reaction_is_a_failed_job_and_completes_after_retry(invoice, settings, api, django_user_model,
                                                                       django_capture_on_commit_callbacks):
    settings.JOBS_MAX_ATTEMPTS = 1
    with mock.patch("incidents.services.invoice_facts.open_incident_for_source",
                    side_effect=RuntimeError("incident table locked")):
        _verify_failed(invoice, django_capture_on_commit_callbacks)
    job = Job.objects.get(name="incidents.invoice_verify_failed")
    assert job.status == JobStatus.FAILED and job.area == "incidents"
    assert job.last_error == "RuntimeError: incident table locked"
    assert not Incident.objects.exists()

    manager = make_user(django_user_model, "mgr", "经理")
    api.force_authenticate(manager)
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"/api/v1/jobs/{job.pk}/retry/").status_code == 200
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    incident = Incident.objects.get()
    assert list(incident.invoices.all()) == [invoice]


def test_a_rolled_back_fact_leaves_no_reaction(invoice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                signals.invoice_verify_failed.send(sender=None, invoice_id=invoice.pk, outcome="missing", detail={})
                raise RuntimeError("the verify's own write failed")
        except RuntimeError:
            pass
    assert not Job.objects.exists() and not Incident.objects.exists()
