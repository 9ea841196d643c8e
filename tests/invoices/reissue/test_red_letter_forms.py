"""Red-letter forms live on the platform: the 02 path with a controlled clock (wait, remind at 48 hours, confirm →
continue; 72 hours → 07 lapsed → resubmit), a denial (05), withdrawing (08), the buyer's forms (03) answered by
two of finance, and discount lines red-flushed fully and partly."""
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.api_errors import Conflict
from incidents.models import FollowUp
from invoices.ledger.models import InvoiceStatus
from invoices.platform.models import PlatformInvoice, PlatformRedLetterForm
from invoices.platform.sim_forms import sim_buyer_answer, sim_buyer_enter, sim_buyer_mark_used
from invoices.reissue.models import RedLetterForm, ReissueRequest, ReissueStatus
from invoices.reissue.services.buyer_forms import buyer_form_agree, buyer_form_propose, buyer_forms_fetch
from invoices.reissue.services.redletter import red_letter_forms_check_waiting
from invoices.reissue.services.reissue import invoice_reissue_cancel, invoice_reissue_request, invoice_reissue_retry

from ... import factories
from ...reissue_helpers import approve_and_complete, blue, request_full

pytestmark = pytest.mark.django_db


@pytest.fixture
def used(seller, customer):
    """A blue invoice whose buyer has confirmed use: its red-letter form needs the buyer's confirmation."""
    invoice = blue(seller, customer, "1000.00", "500.00")
    sim_buyer_mark_used(number=invoice.number)
    return invoice


def _check(capture):
    with capture(execute=True):
        return red_letter_forms_check_waiting()


def _platform_form(req):
    return PlatformRedLetterForm.objects.get(number=req.red_letter_form.number)


def test_form_waits_for_the_buyer_reminds_at_48_hours_and_goes_on_once_confirmed(
    used, finance_user, finance_user2, django_capture_on_commit_callbacks
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        req = approve_and_complete(request_full(used, finance_user), finance_user2, django_capture_on_commit_callbacks)
    form = req.red_letter_form
    # The platform numbered the form and decided it waits for the buyer; the back office keeps its answer.
    assert _platform_form(req).status == "02" and form.status == "02"
    assert req.status == ReissueStatus.APPROVED and req.red_invoice is None
    assert form.lapses_at == start + timedelta(hours=72)
    ask = [m for m in mail.outbox if form.number in m.subject]
    assert len(ask) == 1 and ask[0].to == [used.buyer.email]
    deadline = timezone.localtime(form.lapses_at).strftime("%Y-%m-%d %H:%M")
    assert deadline in ask[0].body and "税务数字账户" in ask[0].body and used.number in ask[0].body
    followup = FollowUp.objects.get(assignee=finance_user)
    assert form.number in followup.title and followup.due_at == form.lapses_at - timedelta(hours=24)

    with time_machine.travel(start + timedelta(hours=47), tick=False):
        assert _check(django_capture_on_commit_callbacks) == 0
    assert len([m for m in mail.outbox if form.number in m.subject]) == 1
    with time_machine.travel(start + timedelta(hours=48, minutes=1), tick=False):
        _check(django_capture_on_commit_callbacks)
        _check(django_capture_on_commit_callbacks)  # once only
    reminders = [m for m in mail.outbox if form.number in m.subject]
    assert len(reminders) == 2 and deadline in reminders[1].body

    sim_buyer_answer(form.number, True)
    with time_machine.travel(start + timedelta(hours=50), tick=False):
        assert _check(django_capture_on_commit_callbacks) == 1
    req.refresh_from_db()
    assert req.status == ReissueStatus.COMPLETED and req.red_letter_form.status == "04"
    red = PlatformInvoice.objects.get(number=req.red_invoice.number)
    assert red.payload["red_letter_form_number"] == form.number and form.number in req.red_invoice.remarks
    used.refresh_from_db()
    assert used.status == InvoiceStatus.RED_FLUSHED


def test_an_unconfirmed_form_lapses_at_72_hours_and_is_resubmitted(
    used, finance_user, finance_user2, django_capture_on_commit_callbacks
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        req = approve_and_complete(request_full(used, finance_user), finance_user2, django_capture_on_commit_callbacks)
    first = req.red_letter_form.number
    with time_machine.travel(start + timedelta(hours=71, minutes=59), tick=False):
        assert _check(django_capture_on_commit_callbacks) == 0
    with time_machine.travel(start + timedelta(hours=72, seconds=1), tick=False):
        assert _check(django_capture_on_commit_callbacks) == 1
        req.refresh_from_db()
        assert req.status == ReissueStatus.LAPSED and req.red_letter_form.status == "07"
        assert PlatformRedLetterForm.objects.get(number=first).status == "07"
        with django_capture_on_commit_callbacks(execute=True):
            invoice_reissue_retry(request=req, actor=finance_user2)
    req.refresh_from_db()
    second = req.red_letter_form.number
    assert second != first and req.form_round == 1 and req.red_letter_form.status == "02"
    sim_buyer_answer(second, True)
    with time_machine.travel(start + timedelta(hours=73), tick=False):
        _check(django_capture_on_commit_callbacks)
    req.refresh_from_db()
    assert req.status == ReissueStatus.COMPLETED
    # Every form number the back office holds is one the platform returned.
    assert set(RedLetterForm.objects.values_list("number", flat=True)) == {first, second}
    assert set(PlatformRedLetterForm.objects.values_list("number", flat=True)) == {first, second}


def test_a_denied_form_stops_the_request_with_its_meaning(
    used, finance_user, finance_user2, django_capture_on_commit_callbacks
):
    req = approve_and_complete(request_full(used, finance_user), finance_user2, django_capture_on_commit_callbacks)
    sim_buyer_answer(req.red_letter_form.number, False)
    _check(django_capture_on_commit_callbacks)
    req.refresh_from_db()
    assert req.status == ReissueStatus.FAILED and req.red_letter_form.status == "05"
    assert req.red_letter_form.number in req.failure and "05" in req.failure
    assert req.red_invoice is None


def test_withdrawing_a_waiting_form_cancels_it_on_the_platform(
    used, finance_user, finance_user2, django_capture_on_commit_callbacks
):
    req = approve_and_complete(request_full(used, finance_user), finance_user2, django_capture_on_commit_callbacks)
    done = invoice_reissue_cancel(request=req, actor=finance_user)
    assert done.status == ReissueStatus.CANCELLED
    assert _platform_form(req).status == "08" and RedLetterForm.objects.get(pk=req.red_letter_form_id).status == "08"
    with pytest.raises(Conflict):
        invoice_reissue_cancel(request=req, actor=finance_user)


def test_an_unused_invoice_goes_straight_on_with_form_01(
    seller, customer, finance_user, finance_user2, django_capture_on_commit_callbacks
):
    original = blue(seller, customer, "800.00")
    req = approve_and_complete(request_full(original, finance_user), finance_user2, django_capture_on_commit_callbacks)
    assert req.status == ReissueStatus.COMPLETED and req.red_letter_form.status == "01"
    assert _platform_form(req).status == "01"
    assert not [m for m in mail.outbox if req.red_letter_form.number in m.subject]


def test_the_buyers_form_is_answered_by_two_of_finance_and_goes_on_to_the_red_and_new_invoice(
    seller, customer, finance_user, finance_user2, django_capture_on_commit_callbacks
):
    original = blue(seller, customer, "1000.00")
    entered = sim_buyer_enter(original_number=original.number, reason="01")
    assert buyer_forms_fetch() == (1, 0)
    assert buyer_forms_fetch() == (0, 0)  # fetched once
    form = RedLetterForm.objects.get(number=entered.number)
    assert form.status == "03" and form.entered_by == "buyer"
    with pytest.raises(ValidationError):
        buyer_form_propose(form=form, actor=finance_user, accept=False)  # a denial says why
    buyer_form_propose(form=form, actor=finance_user, accept=True, issue_new=True)
    with pytest.raises(PermissionDenied):
        buyer_form_agree(form=form, actor=finance_user)
    with django_capture_on_commit_callbacks(execute=True):
        buyer_form_agree(form=form, actor=finance_user2)
    req = ReissueRequest.objects.get(original=original)
    assert req.status == ReissueStatus.COMPLETED and req.requested_by == finance_user
    assert req.approved_by == finance_user2 and req.red_letter_form.number == entered.number
    assert PlatformRedLetterForm.objects.get(number=entered.number).status == "04"
    assert req.red_invoice.total == -original.total and req.new_invoice is not None


def test_a_denied_buyers_form_is_denied_on_the_platform(
    seller, customer, finance_user, finance_user2, django_capture_on_commit_callbacks
):
    original = blue(seller, customer, "1000.00")
    entered = sim_buyer_enter(original_number=original.number, reason="01")
    buyer_forms_fetch()
    form = RedLetterForm.objects.get(number=entered.number)
    buyer_form_propose(form=form, actor=finance_user, accept=False, note="货物未退回")
    with django_capture_on_commit_callbacks(execute=True):
        buyer_form_agree(form=form, actor=finance_user2)
    form.refresh_from_db()
    assert form.status == "06" and PlatformRedLetterForm.objects.get(number=entered.number).status == "06"
    assert not ReissueRequest.objects.filter(original=original).exists()


@pytest.fixture
def discounted(seller, customer):
    """1000.00 of software less a 100.00 discount line (折扣行), as the platform issues it."""
    from invoices.ledger.models import InvoiceKind, SyncStatus
    from invoices.ledger.services.issue import invoice_issue

    from ...files_helpers import on_platform

    lines = [factories.line("1000.00", "0.13", name="软件服务费"), factories.line("-100.00", "0.13", name="软件服务费")]
    invoice = invoice_issue(actor=None, seller=seller, buyer=customer, kind=InvoiceKind.DIGITAL_SPECIAL, lines=lines,
                            sync_status=SyncStatus.SYNCED)
    on_platform(invoice)
    return invoice


def test_an_invoice_with_a_discount_line_is_red_flushed_in_full(
    discounted, finance_user, finance_user2, django_capture_on_commit_callbacks
):
    new_lines = [factories.line("900.00", name="软件服务费")]
    req = approve_and_complete(request_full(discounted, finance_user, new_lines=new_lines), finance_user2,
                               django_capture_on_commit_callbacks)
    assert req.status == ReissueStatus.COMPLETED, req.failure
    amounts = sorted(line.amount for line in req.red_invoice.lines.all())
    assert amounts == [Decimal("-1000.00"), Decimal("100.00")]  # the discount line is positive in the red invoice
    assert req.red_invoice.total == -discounted.total
    discounted.refresh_from_db()
    assert discounted.status == InvoiceStatus.RED_FLUSHED


def test_an_invoice_with_a_discount_line_is_red_flushed_in_part(
    discounted, finance_user, finance_user2, django_capture_on_commit_callbacks
):
    req = invoice_reissue_request(invoice=discounted, actor=finance_user, reason="02", scope="partial",
                                  issue_new=False, red_lines=[{"line_no": 1, "amount": "500.00"},
                                                              {"line_no": 2, "amount": "-50.00"}])
    req = approve_and_complete(req, finance_user2, django_capture_on_commit_callbacks)
    assert req.status == ReissueStatus.COMPLETED, req.failure
    assert sorted(line.amount for line in req.red_invoice.lines.all()) == [Decimal("-500.00"), Decimal("50.00")]
    discounted.refresh_from_db()
    assert discounted.status == InvoiceStatus.PARTIALLY_RED_FLUSHED
    with pytest.raises(ValidationError) as err:
        invoice_reissue_request(invoice=discounted, actor=finance_user, reason="02", scope="partial",
                                issue_new=False, red_lines=[{"line_no": 2, "amount": "10.00"}])
    assert "red_lines.1" in err.value.message_dict  # a discount line is flushed with a negative amount


def test_finance_home_counts_the_forms_and_each_count_opens_exactly_those(
    seller, customer, used, finance_user, finance_user2, client, django_capture_on_commit_callbacks
):
    from ...backoffice.test_home import cards, listed

    waiting = approve_and_complete(request_full(used, finance_user), finance_user2, django_capture_on_commit_callbacks)
    theirs = [blue(seller, customer, "300.00"), blue(seller, customer, "400.00")]
    for invoice in theirs:
        sim_buyer_enter(original_number=invoice.number, reason="02")
    buyer_forms_fetch()
    proposed = RedLetterForm.objects.get(original=theirs[0])
    buyer_form_propose(form=proposed, actor=finance_user2, accept=True)
    client.force_login(finance_user)
    forms = cards(client.get("/admin/"))["Red-letter forms"]
    count, url = forms["entered by the buyer, waiting for our answer"]
    assert count == "2" and listed(client, url) == set(
        RedLetterForm.objects.filter(original__in=theirs).values_list("pk", flat=True))
    count, url = forms["proposed answers waiting for my agreement"]
    assert count == "1" and listed(client, url) == {proposed.pk}
    count, url = forms["ours, waiting for the buyer's confirmation"]
    assert count == "1" and listed(client, url) == {waiting.red_letter_form_id}
    page = client.get(f"/admin/invoices/redletterform/{proposed.pk}/change/").content.decode()
    assert "finance2" in page and "复核同意并提交平台" in page  # a second person agrees here


def test_a_13_month_old_paper_special_invoice_needs_the_buyers_confirmation(
    seller, customer, finance_user, finance_user2, django_capture_on_commit_callbacks
):
    from invoices.ledger.models import InvoiceKind, SyncStatus
    from invoices.ledger.services.issue import invoice_issue

    from ...files_helpers import on_platform

    paper = invoice_issue(actor=None, seller=seller, buyer=customer, kind=InvoiceKind.VAT_SPECIAL, code="1100194130",
                          number="01234567", lines=[factories.line("1000.00", "0.13")],
                          issued_at=timezone.now() - timedelta(days=396), sync_status=SyncStatus.SYNCED)
    on_platform(paper)
    req = approve_and_complete(request_full(paper, finance_user, new_lines=[
        factories.line("1000.00", name="货物")]), finance_user2, django_capture_on_commit_callbacks)
    assert req.red_letter_form.status == "02" and req.status == ReissueStatus.APPROVED and req.red_invoice is None
