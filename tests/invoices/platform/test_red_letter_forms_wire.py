"""Red-letter forms (红字发票信息确认单) and credit over the wire: every call goes through the http gateway to the real
simulator server on loopback, and the simulated buyer acts in-process (as they would in their own account).
Transactional tests: the server thread writes with its own connection."""
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from invoices.ledger.models import InvoiceKind, SyncStatus
from invoices.platform.gateway import (
    InvoiceDraft,
    PlatformRejected,
    PlatformUnavailable,
    RedLetterFormDraft,
    get_gateway,
)
from invoices.platform.http import HttpGateway
from invoices.platform.models import PlatformCredit, PlatformInvoice, PlatformRedLetterForm
from invoices.platform.server import PlatformHandler
from invoices.platform.sim_credit import sim_credit_set
from invoices.platform.sim_forms import buyer_confirmed_use, sim_buyer_answer, sim_buyer_enter, sim_buyer_mark_used

from ... import factories
from ...files_helpers import on_platform
from ...sync_helpers import live_platform  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.slow,  # a live platform server on loopback
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def blue(**overrides):
    """A blue invoice of ¥100.00 + ¥13.00 tax, on the simulated platform."""
    invoice = factories.invoice(sync_status=SyncStatus.NOT_SENT, **overrides)
    on_platform(invoice)
    return invoice


def form_draft(invoice, key, *, share=Decimal(1)):
    """The seller's form for `share` of the invoice (all of it by default), amounts negative."""
    amount, tax = -(invoice.amount * share).quantize(Decimal("0.01")), -(invoice.tax_amount * share).quantize(
        Decimal("0.01"))
    return RedLetterFormDraft(
        idempotency_key=key, original_number=invoice.number, original_code=invoice.code,
        seller_tax_id=invoice.seller.tax_id, buyer_tax_id=invoice.buyer_tax_id, reason="01" if share == 1 else "04",
        amount=amount, tax_amount=tax, lines=[{"name": "*信息技术服务*软件维护服务", "amount": amount,
                                              "tax_rate": Decimal("0.13"), "tax_amount": tax}],
    )


def red_draft(invoice, key, form_number, *, amount=None, tax=None):
    amount = -invoice.amount if amount is None else amount
    tax = -invoice.tax_amount if tax is None else tax
    return InvoiceDraft(
        idempotency_key=key, kind=invoice.kind, seller_tax_id=invoice.seller.tax_id, seller_name=invoice.seller.name,
        region_code="11", buyer_name=invoice.buyer_name, buyer_tax_id=invoice.buyer_tax_id, issued_at=timezone.now(),
        amount=amount, tax_amount=tax, total=amount + tax, direction="red", original_number=invoice.number,
        red_letter_form_number=form_number, lines=[{"name": "*信息技术服务*软件维护服务", "amount": amount}],
    )


def refused(call, *args):
    with pytest.raises(PlatformRejected) as exc:
        call(*args)
    return exc.value.code


def test_submit_decides_01_or_02_and_a_repeated_key_answers_the_same_form(live_platform):
    gateway = get_gateway()
    assert isinstance(gateway, HttpGateway)
    unused = blue()
    form = gateway.red_letter_form_submit(form_draft(unused, "form-1"))
    assert form.status == "01" and form.lapses_at is None and not form.duplicate
    assert len(form.number) == 20 and form.number[:5] == f"{timezone.localtime().year % 100:02d}118"
    assert (form.original_number, form.entered_by, form.reason) == (unused.number, "seller", "01")
    assert (form.amount, form.tax_amount) == (Decimal("-100.00"), Decimal("-13.00"))
    assert form.buyer_tax_id == unused.buyer_tax_id and form.created_at is not None
    again = gateway.red_letter_form_submit(form_draft(unused, "form-1"))
    assert again.duplicate and again.number == form.number
    assert PlatformRedLetterForm.objects.count() == 1
    assert gateway.red_letter_form_get(form.number).status == "01"
    assert gateway.red_letter_form_get("99999999999999999999") is None

    used = blue()
    sim_buyer_mark_used(number=used.number)
    waiting = gateway.red_letter_form_submit(form_draft(used, "form-2"))
    assert waiting.status == "02" and waiting.lapses_at - waiting.created_at == timedelta(hours=72)

    last_month = timezone.now() - timedelta(days=40)
    special = blue(kind=InvoiceKind.DIGITAL_SPECIAL, issued_at=last_month)
    assert gateway.red_letter_form_submit(form_draft(special, "form-3")).status == "02"
    this_month = blue(kind=InvoiceKind.DIGITAL_SPECIAL)
    assert gateway.red_letter_form_submit(form_draft(this_month, "form-4")).status == "01"


def test_submit_refusals(live_platform):
    gateway = get_gateway()
    absent = factories.invoice(sync_status=SyncStatus.NOT_SENT)
    assert refused(gateway.red_letter_form_submit, form_draft(absent, "absent")) == "ORIGINAL_NOT_FOUND"
    invoice = blue()
    too_much = form_draft(invoice, "too-much", share=Decimal(2))
    assert refused(gateway.red_letter_form_submit, too_much) == "AMOUNT_EXCEEDS_ORIGINAL"
    gateway.red_letter_form_submit(form_draft(invoice, "half", share=Decimal("0.5")))
    # Half is promised to the first form; a second full form would flush the invoice one and a half times.
    assert refused(gateway.red_letter_form_submit, form_draft(invoice, "full")) == "AMOUNT_EXCEEDS_ORIGINAL"
    assert gateway.red_letter_form_submit(form_draft(invoice, "other-half", share=Decimal("0.5"))).status == "01"
    bad_reason = form_draft(blue(), "bad-reason")
    bad_reason.reason = "05"
    assert refused(gateway.red_letter_form_submit, bad_reason) == "INVALID_REASON"


def test_buyer_entered_forms_are_listed_and_answered(live_platform):
    gateway = get_gateway()
    accepted, refused_one = blue(), blue()
    entered = sim_buyer_enter(original_number=accepted.number)
    assert (entered.status, entered.entered_by) == ("03", "buyer")
    assert (entered.amount, entered.tax_amount) == (Decimal("-100.00"), Decimal("-13.00"))
    waiting = gateway.red_letter_forms_waiting(accepted.seller.tax_id)
    assert [(f.number, f.status, f.entered_by) for f in waiting] == [(entered.number, "03", "buyer")]
    assert gateway.red_letter_forms_waiting(refused_one.seller.tax_id) == []
    assert gateway.red_letter_form_confirm(entered.number, True) == "04"
    assert gateway.red_letter_form_get(entered.number).status == "04"
    assert gateway.red_letter_forms_waiting(accepted.seller.tax_id) == []

    other = sim_buyer_enter(original_number=refused_one.number)
    assert gateway.red_letter_form_confirm(other.number, False) == "06"
    assert refused(gateway.red_letter_form_confirm, other.number, True) == "FORM_NOT_WAITING"

    mine = blue()
    sim_buyer_mark_used(number=mine.number)
    ours = gateway.red_letter_form_submit(form_draft(mine, "ours-02"))
    assert ours.status == "02"
    # A form we entered waits for the buyer, not for us.
    assert refused(gateway.red_letter_form_confirm, ours.number, True) == "FORM_NOT_WAITING"
    assert refused(gateway.red_letter_form_confirm, "99999999999999999999", True) == "FORM_NOT_FOUND"
    assert sim_buyer_answer(ours.number, False) == "05"
    assert gateway.red_letter_form_get(ours.number).status == "05"


def test_cancel_and_lapse(live_platform):
    gateway = get_gateway()
    invoice = blue()
    form = gateway.red_letter_form_submit(form_draft(invoice, "to-cancel"))
    assert gateway.red_letter_form_cancel(form.number) == "08"
    assert gateway.red_letter_form_get(form.number).status == "08"
    assert refused(gateway.red_letter_form_cancel, form.number) == "FORM_NOT_CANCELLABLE"
    # The cancelled form no longer holds the amount: a new one for all of it is taken.
    used = gateway.red_letter_form_submit(form_draft(invoice, "to-use"))
    gateway.issue(red_draft(invoice, "red-1", used.number))
    assert refused(gateway.red_letter_form_cancel, used.number) == "FORM_NOT_CANCELLABLE"

    marked = blue()
    sim_buyer_mark_used(number=marked.number)
    waiting = gateway.red_letter_form_submit(form_draft(marked, "to-lapse"))
    assert waiting.status == "02"
    PlatformRedLetterForm.objects.filter(number=waiting.number).update(lapses_at=timezone.now() - timedelta(minutes=1))
    assert gateway.red_letter_form_get(waiting.number).status == "07"
    assert refused(sim_buyer_answer, waiting.number, True) == "FORM_NOT_WAITING"
    # A lapsed form holds nothing either.
    assert gateway.red_letter_form_submit(form_draft(marked, "after-lapse")).status == "02"


def test_red_issue_needs_an_issuable_form_once(live_platform):
    gateway = get_gateway()
    invoice = blue()
    assert refused(gateway.issue, red_draft(invoice, "red-none", "")) == "FORM_NOT_CONFIRMED"
    assert refused(gateway.issue, red_draft(invoice, "red-unknown", "99999999999999999999")) == "FORM_NOT_CONFIRMED"
    form = gateway.red_letter_form_submit(form_draft(invoice, "form-01"))
    wrong = red_draft(invoice, "red-wrong-amount", form.number, amount=Decimal("-50.00"), tax=Decimal("-6.50"))
    assert refused(gateway.issue, wrong) == "FORM_MISMATCH"
    red = gateway.issue(red_draft(invoice, "red-01", form.number))
    assert len(red.number) == 20 and not red.duplicate
    assert gateway.issue(red_draft(invoice, "red-01", form.number)).number == red.number  # same key, same red
    assert refused(gateway.issue, red_draft(invoice, "red-01-again", form.number)) == "FORM_USED"
    assert PlatformInvoice.objects.get(number=invoice.number).status == "已红冲-全额"

    marked = blue()
    sim_buyer_mark_used(number=marked.number)
    waiting = gateway.red_letter_form_submit(form_draft(marked, "form-02"))
    assert refused(gateway.issue, red_draft(marked, "red-02", waiting.number)) == "FORM_NOT_CONFIRMED"
    assert sim_buyer_answer(waiting.number, True) == "04"
    assert gateway.issue(red_draft(marked, "red-04", waiting.number)).number

    entered = blue()
    theirs = sim_buyer_enter(original_number=entered.number)
    assert refused(gateway.issue, red_draft(entered, "red-03", theirs.number)) == "FORM_NOT_CONFIRMED"
    gateway.red_letter_form_confirm(theirs.number, True)
    assert gateway.issue(red_draft(entered, "red-03-04", theirs.number)).number


def test_credit_is_charged_refused_and_given_back(live_platform):
    gateway = get_gateway()
    seller = factories.seller()
    first = factories.invoice(seller_obj=seller, sync_status=SyncStatus.NOT_SENT)
    credit = gateway.credit(seller.tax_id)
    assert credit.used == 0 and credit.remaining == credit.total > 0
    sim_credit_set(seller.tax_id, "150.00")
    gateway.upload(first)
    credit = gateway.credit(seller.tax_id)
    assert (credit.total, credit.used, credit.remaining) == (Decimal("150.00"), Decimal("100.00"), Decimal("50.00"))

    second = factories.invoice(seller_obj=seller, sync_status=SyncStatus.NOT_SENT)
    assert refused(gateway.upload, second) == "CREDIT_EXCEEDED"
    assert not PlatformInvoice.objects.filter(number=second.number).exists()
    issue = red_draft(first, "blue-beyond", "")
    issue.direction, issue.original_number = "blue", ""
    issue.amount, issue.tax_amount, issue.total = first.amount, first.tax_amount, first.total
    assert refused(gateway.issue, issue) == "CREDIT_EXCEEDED"
    assert gateway.credit(seller.tax_id).used == Decimal("100.00")

    form = gateway.red_letter_form_submit(form_draft(first, "credit-form"))
    gateway.issue(red_draft(first, "credit-red", form.number))
    assert gateway.credit(seller.tax_id).used == 0  # the red invoice gave its ¥100.00 back
    assert gateway.upload(second).number == second.number
    assert gateway.credit(seller.tax_id).remaining == Decimal("50.00")

    # A new month starts the count again; a red invoice against last month's blue one cannot push it below zero.
    PlatformCredit.objects.filter(seller_tax_id=seller.tax_id).update(period="2000-01")
    assert gateway.credit(seller.tax_id).used == 0
    form = gateway.red_letter_form_submit(form_draft(second, "last-month-form"))
    gateway.issue(red_draft(second, "last-month-red", form.number))
    credit = gateway.credit(seller.tax_id)
    assert (credit.used, credit.remaining) == (0, Decimal("150.00"))


def test_buyer_enters_a_form_for_an_invoice_the_platform_issued(live_platform):
    """An issued invoice's lines may carry no tax of their own: the form takes the invoice's totals."""
    gateway = get_gateway()
    invoice = factories.invoice(sync_status=SyncStatus.NOT_SENT)
    issued = gateway.issue(InvoiceDraft(
        idempotency_key="issued-blue", kind=invoice.kind, seller_tax_id=invoice.seller.tax_id,
        seller_name=invoice.seller.name, region_code="11", buyer_name=invoice.buyer_name,
        buyer_tax_id=invoice.buyer_tax_id, issued_at=timezone.now(), amount=Decimal("200.00"),
        tax_amount=Decimal("26.00"), total=Decimal("226.00"), lines=[{"name": "x", "amount": Decimal("200.00")}],
    ))
    form = sim_buyer_enter(original_number=issued.number)
    assert (form.amount, form.tax_amount) == (Decimal("-200.00"), Decimal("-26.00"))
    assert form.lines == [{"name": "x", "amount": "-200.00", "line_no": 1, "tax_amount": None, "quantity": None}]
    assert [f.number for f in gateway.red_letter_forms_waiting(invoice.seller.tax_id)] == [form.number]


class Garbled(PlatformHandler):
    """A provider that answers forms without a status we know, and a credit that is not numbers."""

    def _form_get(self, number):
        self._send(200, {"number": number, "status": "99"})

    def _credit(self, query):
        self._send(200, {"total": "lots", "used": "0", "remaining": "0"})

    def _form_cancel(self, number):
        self.send_response(200)
        self.send_header("Content-Length", "9")
        self.end_headers()
        self.wfile.write(b"cancelled")


def test_unreadable_answers_are_unavailable_not_rejected(live_platform):
    live_platform.stop()
    live_platform.start(handler=Garbled)
    gateway = get_gateway()
    with pytest.raises(PlatformUnavailable):
        gateway.red_letter_form_get("24118000000000000001")
    with pytest.raises(PlatformUnavailable):
        gateway.credit("91110108MA01234567")
    with pytest.raises(PlatformUnavailable):
        gateway.red_letter_form_cancel("24118000000000000001")


def test_a_special_invoice_issued_late_on_the_last_day_counts_in_beijing_time():
    """17:30 UTC on 30 November is 01:30 on 1 December in Beijing: a 专票 of this month, not of an earlier one."""
    record = PlatformInvoice(payload={"kind": "digital_special", "issued_at": "2026-11-30T17:30:00+00:00"})
    assert not buyer_confirmed_use(record, now=timezone.make_aware(datetime(2026, 12, 15, 10)))
    assert buyer_confirmed_use(record, now=timezone.make_aware(datetime(2027, 1, 2, 10)))
