from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.api_errors import Conflict
from invoices.ledger.models import Direction, InvoiceStatus
from invoices.ledger.services.issue import invoice_issue, invoice_void
from invoices.platform.models import PlatformInvoice, PlatformRedLetterForm
from invoices.platform.simulator import SimulatedGateway, sim_settings_row
from invoices.reissue.models import RedLetterForm, ReissueRequest, ReissueStatus
from invoices.reissue.services.redeliver import invoice_redeliver
from invoices.reissue.services.reissue import (
    invoice_reissue_approve,
    invoice_reissue_reject,
    invoice_reissue_request,
    invoice_reissue_retry,
)
from invoices.signals import invoice_reissued

from ... import factories
from ...files_helpers import on_platform
from ...reissue_helpers import (
    approve_and_complete,
    blue,
    corrected_lines,
    reds_of,
    request_full,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def original(seller, customer):
    return blue(seller, customer, "1000.00", "500.00")


def test_full_reissue_with_corrected_tax_id_builds_the_whole_chain(
    original, finance_user, finance_user2, django_capture_on_commit_callbacks
):
    right = factories.customer(name="正确的购买方有限公司")
    sent = []
    invoice_reissued.connect(lambda **kw: sent.append(kw), weak=False, dispatch_uid="t-reissued")
    try:
        req = request_full(original, finance_user, new_buyer=right)
        req = approve_and_complete(req, finance_user2, django_capture_on_commit_callbacks)
    finally:
        invoice_reissued.disconnect(dispatch_uid="t-reissued")
    assert req.status == ReissueStatus.COMPLETED and req.step == "done"
    original.refresh_from_db()
    red, new, form = req.red_invoice, req.new_invoice, req.red_letter_form
    assert original.status == InvoiceStatus.RED_FLUSHED
    assert red.direction == Direction.RED and red.total == -original.total and red.original_id == original.pk
    assert f"被红冲蓝字数电发票号码：{original.number} 红字发票信息确认单编号：{form.number}" == red.remarks
    assert form.status == "01" and form.entered_by == "seller"
    assert PlatformRedLetterForm.objects.get(number=form.number).status == "01"  # the platform's number
    assert new.buyer_tax_id == right.tax_id and new.total == original.total and new.direction == Direction.BLUE
    assert {p.number for p in PlatformInvoice.objects.filter(number__in=[red.number, new.number])} == {
        red.number, new.number}
    assert red.sync_status == new.sync_status == "synced"
    kinds = [event.text for event in original.events.filter(kind="reissue")]
    assert len(kinds) >= 4 and any("completed" in m for m in kinds)
    assert sent == [{"signal": invoice_reissued, "sender": ReissueRequest, "request_id": req.pk,
                     "original_id": original.pk, "red_id": red.pk, "new_id": new.pk, "actor_id": finance_user2.pk}]


def test_requester_cannot_approve_own_request(original, finance_user):
    req = request_full(original, finance_user)
    with pytest.raises(PermissionDenied):
        invoice_reissue_approve(request=req, actor=finance_user)
    req.status, req.approved_by = ReissueStatus.APPROVED, finance_user
    with pytest.raises(IntegrityError), transaction.atomic():
        req.save()


def test_one_open_request_per_invoice_in_service_and_database(original, finance_user, finance_user2):
    req = request_full(original, finance_user)
    with pytest.raises(Conflict):
        request_full(original, finance_user2)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReissueRequest.objects.create(original=original, reason="01", requested_by=finance_user2)
    invoice_reissue_reject(request=req, actor=finance_user2, reason="客户撤回")
    assert request_full(original, finance_user2).status == ReissueStatus.REQUESTED


def test_double_approval_yields_one_chain_and_a_clear_refusal(
    original, finance_user, finance_user2, manager_user, django_capture_on_commit_callbacks
):
    req = request_full(original, finance_user)
    approve_and_complete(req, finance_user2, django_capture_on_commit_callbacks)
    with pytest.raises(Conflict) as exc:
        invoice_reissue_approve(request=req, actor=finance_user2)
    assert "completed" in str(exc.value.detail) and "finance2" in str(exc.value.detail)
    assert reds_of(original).count() == 1
    assert ReissueRequest.objects.get().new_invoice is not None


@pytest.mark.parametrize("make_bad", ["red", "void", "flushed"])
def test_red_voided_and_fully_flushed_invoices_cannot_be_reissued(seller, customer, finance_user, make_bad):
    from invoices.ledger.models import InvoiceKind

    if make_bad == "void":
        target = blue(seller, customer, kind=InvoiceKind.VAT_SPECIAL) if False else invoice_issue(
            actor=None, seller=seller, buyer=customer, kind=InvoiceKind.VAT_SPECIAL, code="1100222130",
            number="00000123", lines=[factories.line()], sync_status="synced")
        invoice_void(invoice=target, actor=None, reason="开错")
    else:
        b = blue(seller, customer)
        red = invoice_issue(actor=None, seller=seller, buyer=customer, kind=b.kind, direction=Direction.RED,
                            original=b, lines=[factories.line("-1000.00")], sync_status="synced")
        target = red if make_bad == "red" else b
    with pytest.raises(ValidationError) as exc:
        request_full(target, finance_user)
    assert "original" in exc.value.message_dict


def test_invoicing_error_is_always_full(original, finance_user):
    with pytest.raises(ValidationError) as exc:
        invoice_reissue_request(invoice=original, actor=finance_user, reason="01", scope="partial",
                                red_lines=[{"line_no": 1, "amount": "10.00"}], new_lines=corrected_lines(original))
    assert "full red-flush" in exc.value.message_dict["scope"][0]


def test_partial_flushes_never_exceed_the_original(
    original, finance_user, finance_user2, django_capture_on_commit_callbacks
):
    first = invoice_reissue_request(invoice=original, actor=finance_user, reason="02", scope="partial",
                                    issue_new=False, red_lines=[{"line_no": 1, "amount": "500.00", "quantity": "1"}])
    approve_and_complete(first, finance_user2, django_capture_on_commit_callbacks)
    original.refresh_from_db()
    assert original.status == InvoiceStatus.PARTIALLY_RED_FLUSHED
    assert first.red_invoice.total == Decimal("-565.00")
    with pytest.raises(ValidationError) as exc:
        invoice_reissue_request(invoice=original, actor=finance_user, reason="02", scope="partial", issue_new=False,
                                red_lines=[{"line_no": 1, "amount": "500.01"}])
    assert "500.00 left" in exc.value.message_dict["red_lines.1"][0]
    with pytest.raises(ValidationError) as exc:
        invoice_reissue_request(invoice=original, actor=finance_user, reason="02", scope="partial", issue_new=False,
                                red_lines=[{"line_no": 1, "amount": "100.00", "quantity": "2"}])
    assert "quantity" in exc.value.message_dict["red_lines.1"][0]
    # A later full correction flushes only what remains: 500 of line 1 and all of line 2.
    rest = request_full(original, finance_user)
    assert [(r["line_no"], r["amount"]) for r in rest.red_lines] == [(1, "500.00"), (2, "500.00")]
    approve_and_complete(rest, finance_user2, django_capture_on_commit_callbacks)
    original.refresh_from_db()
    assert original.status == InvoiceStatus.RED_FLUSHED
    assert sum(r.total for r in reds_of(original)) == -original.total


def test_bad_replacement_data_is_refused_at_request_time_with_nothing_written(original, finance_user):
    lines = corrected_lines(original)
    lines[0]["tax_rate"] = "0.17"
    with pytest.raises(ValidationError) as exc:
        request_full(original, finance_user, new_lines=lines, new_buyer_tax_id="123")
    assert {"new.lines.1.tax_rate", "new.buyer_tax_id"} <= set(exc.value.message_dict)
    assert not ReissueRequest.objects.exists()
    assert original.corrections.count() == 0


class DiesAfterRed(SimulatedGateway):
    """The platform goes down right after it issued the red invoice."""

    def issue(self, draft):
        receipt = super().issue(draft)
        if draft.direction == "red":
            row = sim_settings_row()
            row.outage = True
            row.save()
        return receipt


def _due_now(job):
    """The job's backoff has passed (a controlled clock: the retry is made due instead of waiting for it)."""
    from core.jobs.models import Job

    Job.objects.filter(pk=job.pk).update(next_try_at=timezone.now())


def test_outage_in_the_middle_is_retried_by_the_job_and_resumes_without_second_red(
    original, finance_user, finance_user2, monkeypatch, django_capture_on_commit_callbacks
):
    from core.jobs.runner import sweep
    from invoices.platform import gateway
    from invoices.reissue.services.completion import completion_job

    monkeypatch.setattr(gateway, "get_gateway", lambda: DiesAfterRed())
    req = approve_and_complete(request_full(original, finance_user), finance_user2, django_capture_on_commit_callbacks)
    # Not failed: the completion job waits out the outage with backoff, the request shows where it stands.
    assert req.status == ReissueStatus.APPROVED and req.step == "red" and req.red_invoice and not req.new_invoice
    job = completion_job(req)
    assert job.status == "queued" and job.attempts == 1 and "PlatformUnavailable" in job.last_error
    assert job.next_try_at > timezone.now()
    red_number = req.red_invoice.number
    # The sweep hands the due retry over; still down: a second attempt, nothing issued twice.
    _due_now(job)
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    job.refresh_from_db()
    assert job.status == "queued" and job.attempts == 2 and reds_of(original).count() == 1
    row = sim_settings_row()
    row.outage = False
    row.save()
    _due_now(job)
    with django_capture_on_commit_callbacks(execute=True):
        sweep()
    done = ReissueRequest.objects.get(pk=req.pk)
    assert done.status == ReissueStatus.COMPLETED and done.red_invoice.number == red_number
    assert completion_job(req).status == "done"
    assert reds_of(original).count() == 1
    assert PlatformInvoice.objects.filter(payload__original_number=original.number).count() == 1


def test_a_completion_that_gives_up_fails_the_request_and_retry_resumes(
    original, finance_user, finance_user2, monkeypatch, settings, django_capture_on_commit_callbacks
):
    from core.jobs.models import Job
    from invoices.platform import gateway
    from invoices.reissue.services.completion import completion_job

    monkeypatch.setattr(gateway, "get_gateway", lambda: DiesAfterRed())
    settings.JOBS_MAX_ATTEMPTS = 1
    req = approve_and_complete(request_full(original, finance_user), finance_user2, django_capture_on_commit_callbacks)
    job = completion_job(req)
    assert job.status == "failed" and job.events.get().kind == "gave_up"
    assert req.status == ReissueStatus.FAILED and req.step == "red" and "unavailable" in req.failure
    red_number = req.red_invoice.number
    row = sim_settings_row()
    row.outage = False
    row.save()
    with django_capture_on_commit_callbacks(execute=True):
        invoice_reissue_retry(request=req, actor=finance_user2)
    done = ReissueRequest.objects.get(pk=req.pk)
    assert done.status == ReissueStatus.COMPLETED and done.red_invoice.number == red_number
    assert Job.objects.filter(name="reissue.complete").count() == 2  # the one that gave up stays, failed
    assert reds_of(original).count() == 1


def test_rejected_by_platform_fails_and_can_be_retried_after_fix(
    original, finance_user, finance_user2, settings, django_capture_on_commit_callbacks
):
    right = factories.customer()
    settings.TAX_PLATFORM_SIMULATOR = {**settings.TAX_PLATFORM_SIMULATOR, "rejected_tax_ids": [right.tax_id]}
    req = approve_and_complete(request_full(original, finance_user, new_buyer=right), finance_user2,
                               django_capture_on_commit_callbacks)
    assert req.status == ReissueStatus.FAILED and "TAX_ID_NOT_REGISTERED" in req.failure and req.step == "red"
    settings.TAX_PLATFORM_SIMULATOR = {**settings.TAX_PLATFORM_SIMULATOR, "rejected_tax_ids": []}
    with django_capture_on_commit_callbacks(execute=True):
        invoice_reissue_retry(request=req, actor=finance_user2)
    assert ReissueRequest.objects.get(pk=req.pk).status == ReissueStatus.COMPLETED


def test_reject_needs_a_reason_and_a_second_person(original, finance_user, finance_user2):
    req = request_full(original, finance_user)
    with pytest.raises(ValidationError):
        invoice_reissue_reject(request=req, actor=finance_user2, reason=" ")
    with pytest.raises(PermissionDenied):
        invoice_reissue_reject(request=req, actor=finance_user, reason="no")
    assert invoice_reissue_reject(request=req, actor=finance_user2, reason="金额无误").status == ReissueStatus.REJECTED


def test_redeliver_sends_the_same_invoice_by_email(original, cs_user, django_capture_on_commit_callbacks):
    on_platform(original)
    with django_capture_on_commit_callbacks(execute=True):
        invoice_redeliver(invoice=original, actor=cs_user)
    assert len(mail.outbox) == 1 and original.number in mail.outbox[0].subject
    assert mail.outbox[0].to == [original.buyer.email]
    assert [a[0] for a in mail.outbox[0].attachments] == [f"{original.number}.pdf"]
    assert original.events.filter(kind="redelivered").count() == 1
    assert original.corrections.count() == 0
    with pytest.raises(ValidationError):
        invoice_redeliver(invoice=original, actor=cs_user, email="not-an-address")


