"""An old blue invoice at a rate no longer in force (16% of 2018) is red-flushed through the reissue flow: the red
invoice takes its original's rate, line by line, and the replacement uses a rate in force. An original recorded
without a 税收分类编码 is red-flushed too."""
from datetime import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from invoices.ledger.models import InvoiceKind, InvoiceLine, InvoiceStatus, SyncStatus
from invoices.ledger.services.issue import invoice_issue
from invoices.platform.sim_forms import sim_buyer_answer
from invoices.reissue.models import ReissueStatus
from invoices.reissue.services.redletter import red_letter_forms_check_waiting

from ... import factories
from ...files_helpers import on_platform
from ...reissue_helpers import approve_and_complete, request_full

pytestmark = pytest.mark.django_db


def old_paper_special(seller, customer, *lines, number="00054321"):
    """A 专票 of September 2018, recorded from history (synced) and on the platform."""
    invoice = invoice_issue(
        actor=None, seller=seller, buyer=customer, kind=InvoiceKind.VAT_SPECIAL, code="1100182130", number=number,
        issued_at=timezone.make_aware(datetime(2018, 9, 3, 10, 0)), sync_status=SyncStatus.SYNCED, lines=list(lines))
    on_platform(invoice)
    return invoice


def complete_after_the_buyer_confirms(req, capture):
    """A form against an invoice this old waits for the buyer (02); once confirmed the completion goes on."""
    assert req.red_letter_form.status == "02" and req.status == ReissueStatus.APPROVED
    sim_buyer_answer(req.red_letter_form.number, True)
    with capture(execute=True):
        red_letter_forms_check_waiting()
    req.refresh_from_db()
    assert req.status == ReissueStatus.COMPLETED
    return req


def test_an_old_blue_invoice_at_16_percent_is_red_flushed_at_16_and_reissued_at_13(
    seller, customer, finance_user, finance_user2, django_capture_on_commit_callbacks
):
    original = old_paper_special(
        seller, customer,
        factories.line("1000.00", "0.16", quantity=Decimal(4), unit_price=Decimal(250)),
        factories.line("500.00", "0.10", name="*运输服务*货物运输服务", tax_code="3010102020100000000"),
    )
    assert original.tax_amount == Decimal("210.00")
    new_lines = [factories.line("1000.00", "0.13", quantity=Decimal(4), unit_price=Decimal(250)),
                 factories.line("500.00", "0.09", name="*运输服务*货物运输服务", tax_code="3010102020100000000")]
    req = approve_and_complete(request_full(original, finance_user, new_lines=new_lines), finance_user2,
                               django_capture_on_commit_callbacks)
    req = complete_after_the_buyer_confirms(req, django_capture_on_commit_callbacks)
    red = req.red_invoice
    assert red.kind == InvoiceKind.DIGITAL_SPECIAL and red.total == -original.total
    assert sorted((ln.tax_rate, ln.amount, ln.tax_amount, ln.quantity) for ln in red.lines.all()) == [
        (Decimal("0.1000"), Decimal("-500.00"), Decimal("-50.00"), None),
        (Decimal("0.1600"), Decimal("-1000.00"), Decimal("-160.00"), Decimal(-4)),
    ]
    assert sorted(ln.tax_rate for ln in req.new_invoice.lines.all()) == [Decimal("0.09"), Decimal("0.13")]
    original.refresh_from_db()
    assert original.status == InvoiceStatus.RED_FLUSHED


def test_the_replacement_of_an_old_invoice_cannot_keep_the_historic_rate(seller, customer, finance_user):
    original = old_paper_special(seller, customer, factories.line("1000.00", "0.16"))
    with pytest.raises(ValidationError) as exc:
        request_full(original, finance_user, new_lines=[factories.line("1000.00", "0.16")])
    message = exc.value.message_dict["new.lines.1.tax_rate"][0]
    assert "16%" in message and "no longer in force" in message


def test_an_original_recorded_without_a_tax_code_is_red_flushed(
    seller, customer, finance_user, finance_user2, django_capture_on_commit_callbacks
):
    original = old_paper_special(seller, customer, factories.line("1000.00", "0.16"))
    InvoiceLine.objects.filter(invoice=original).update(tax_code="")  # recorded before codes were required
    req = approve_and_complete(request_full(original, finance_user, new_lines=[factories.line("1000.00")]),
                               finance_user2, django_capture_on_commit_callbacks)
    req = complete_after_the_buyer_confirms(req, django_capture_on_commit_callbacks)
    assert [(ln.tax_code, ln.tax_rate) for ln in req.red_invoice.lines.all()] == [("", Decimal("0.16"))]
    # The replacement is a new invoice: it carries a code, as the reissue form asks of a person.
    assert [ln.tax_code for ln in req.new_invoice.lines.all()] == [factories.SOFTWARE_MAINTENANCE_CODE]


def test_a_partial_flush_by_amount_alone_leaves_a_rest_that_is_flushed_without_a_quantity(
    seller, customer, finance_user, finance_user2, django_capture_on_commit_callbacks
):
    from invoices.reissue.services.reissue import invoice_reissue_request

    original = factories.invoice(seller_obj=seller, buyer=customer, sync_status=SyncStatus.SYNCED,
                                 lines=[factories.line("1000.00", quantity=Decimal(4), unit_price=Decimal(250))])
    on_platform(original)
    allowance = invoice_reissue_request(invoice=original, actor=finance_user, reason="04", scope="partial",
                                        issue_new=False, red_lines=[{"line_no": 1, "amount": "100.00"}])
    approve_and_complete(allowance, finance_user2, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as exc:  # 1 × 250 is not 300
        invoice_reissue_request(invoice=original, actor=finance_user, reason="02", scope="partial", issue_new=False,
                                red_lines=[{"line_no": 1, "amount": "300.00", "quantity": "1"}])
    assert "250.00" in exc.value.message_dict["red_lines.1"][0]
    rest = approve_and_complete(request_full(original, finance_user), finance_user2,
                                django_capture_on_commit_callbacks)
    assert rest.status == ReissueStatus.COMPLETED
    line = rest.red_invoice.lines.get()
    assert (line.amount, line.quantity, line.unit_price) == (Decimal("-900.00"), None, None)
