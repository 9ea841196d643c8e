from datetime import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from invoices.ledger.models import (
    Direction,
    Invoice,
    InvoiceEvent,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
)
from invoices.ledger.services.issue import invoice_issue, invoice_void

from ... import factories
from ...factories import line

pytestmark = pytest.mark.django_db


def issue(seller, customer, **kw):
    kw.setdefault("lines", [line()])
    kw.setdefault("kind", InvoiceKind.DIGITAL_GENERAL)
    return invoice_issue(actor=None, seller=seller, buyer=customer, **kw)


def errors_of(excinfo):
    return excinfo.value.message_dict


def test_issue_computes_totals_from_lines_and_writes_event(seller, customer):
    inv = issue(seller, customer, lines=[line("100.00", "0.13"), line("0.50", "0.13"), line("200.00", "0.06")])
    assert inv.amount == Decimal("300.50")
    assert inv.tax_amount == Decimal("13.00") + Decimal("0.07") + Decimal("12.00")
    assert inv.total == inv.amount + inv.tax_amount
    assert inv.buyer_name == customer.name and inv.buyer_tax_id == customer.tax_id
    assert list(inv.lines.values_list("line_no", flat=True)) == [1, 2, 3]
    assert InvoiceEvent.objects.filter(invoice=inv, kind="issued").count() == 1


def test_digital_numbers_are_allocated_in_format_and_unique(seller, customer):
    a, b = issue(seller, customer), issue(seller, customer)
    year = timezone.localtime().strftime("%y")
    for inv in (a, b):
        assert len(inv.number) == 20 and inv.number.isdigit()
        assert inv.number.startswith(year + "11")
    assert a.number != b.number


def test_given_number_must_have_20_digits(seller, customer):
    with pytest.raises(ValidationError) as exc:
        issue(seller, customer, number="2611200000000000100")
    assert "20 digits" in errors_of(exc)["number"][0]


def test_float_damaged_number_is_refused_with_reason(seller, customer):
    with pytest.raises(ValidationError) as exc:
        issue(seller, customer, number="2.6112E+19")
    assert "spreadsheet" in errors_of(exc)["number"][0]


@pytest.mark.parametrize("kind,code,ok", [
    (InvoiceKind.VAT_SPECIAL, "1100222130", True),
    (InvoiceKind.VAT_SPECIAL, "110022213000", False),
    (InvoiceKind.VAT_GENERAL, "110022213000", True),
    (InvoiceKind.VAT_ELECTRONIC_GENERAL, "11002221300", False),
])
def test_legacy_code_lengths_per_kind(seller, customer, kind, code, ok):
    if ok:
        inv = issue(seller, customer, kind=kind, code=code, number="00012345")
        assert str(inv) == f"{code}-00012345"
    else:
        with pytest.raises(ValidationError) as exc:
            issue(seller, customer, kind=kind, code=code, number="00012345")
        assert "code" in errors_of(exc)


def test_code_and_number_unique_together(seller, customer):
    issue(seller, customer, kind=InvoiceKind.VAT_GENERAL, code="110022213000", number="00000001")
    issue(seller, customer, kind=InvoiceKind.VAT_GENERAL, code="110022213001", number="00000001")
    with pytest.raises(ValidationError) as exc:
        issue(seller, customer, kind=InvoiceKind.VAT_GENERAL, code="110022213000", number="00000001")
    assert "already exists" in errors_of(exc)["number"][0]


def test_database_enforces_unique_code_number_even_if_service_is_bypassed(invoice):
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.create(
            kind=invoice.kind, code="", number=invoice.number, issued_at=invoice.issued_at, seller=invoice.seller,
            buyer=invoice.buyer, buyer_name="x", amount=1, tax_amount=0, total=1,
        )


def test_line_tax_outside_006_tolerance_is_rejected_inside_is_kept(seller, customer):
    with pytest.raises(ValidationError) as exc:
        issue(seller, customer, lines=[line("100.00", "0.13", tax_amount=Decimal("13.07"))])
    assert "lines.1.tax_amount" in errors_of(exc)
    inv = issue(seller, customer, lines=[line("100.00", "0.13", tax_amount=Decimal("13.06"))])
    assert inv.tax_amount == Decimal("13.06")


def test_invoice_level_tax_tolerance_127(seller, customer):
    # 30 lines each 0.05 over: every line within 0.06, the invoice 1.50 over → refused.
    lines = [line("100.00", "0.13", tax_amount=Decimal("13.05")) for _ in range(30)]
    with pytest.raises(ValidationError) as exc:
        issue(seller, customer, lines=lines)
    assert "1.27" in errors_of(exc)["tax_amount"][0]


def test_every_bad_field_reported_at_once_and_nothing_written(seller, customer):
    before = (Invoice.objects.count(), InvoiceLine.objects.count(), InvoiceEvent.objects.count())
    with pytest.raises(ValidationError) as exc:
        issue(seller, customer, number="123", lines=[
            {**line(), "amount": "abc"}, line("10.00", "0.17"), line("1.001", "0.13"), {"amount": "1", "tax_rate": "0.13"},
        ])
    errors = errors_of(exc)
    assert {"number", "lines.1.amount", "lines.2.tax_rate", "lines.3.amount", "lines.4.name"} <= set(errors)
    assert (Invoice.objects.count(), InvoiceLine.objects.count(), InvoiceEvent.objects.count()) == before


def test_special_invoice_needs_buyer_tax_id(seller):
    buyer = factories.customer(tax_id="")
    with pytest.raises(ValidationError) as exc:
        issue(seller, buyer, kind=InvoiceKind.DIGITAL_SPECIAL)
    assert "buyer_tax_id" in errors_of(exc)
    assert issue(seller, buyer, kind=InvoiceKind.DIGITAL_GENERAL).buyer_tax_id == ""


def test_naive_time_is_refused(seller, customer):
    with pytest.raises(ValidationError) as exc:
        issue(seller, customer, issued_at=datetime(2026, 11, 1, 9, 0))
    assert "issued_at" in errors_of(exc)


def red_lines_for(blue, fraction=Decimal(1)):
    return [line(str(-(ln.amount * fraction).quantize(Decimal("0.01"))), str(ln.tax_rate)) for ln in blue.lines.all()]


def test_red_invoice_negative_linked_and_flips_original_status(invoice):
    red = issue(invoice.seller, invoice.buyer, direction=Direction.RED, original=invoice, lines=red_lines_for(invoice))
    invoice.refresh_from_db()
    assert red.total == -invoice.total and red.original_id == invoice.pk
    assert invoice.status == InvoiceStatus.RED_FLUSHED
    assert invoice.events.filter(kind="red_flushed").exists()


def test_partial_red_then_never_more_than_original(seller, customer):
    blue = issue(seller, customer, lines=[line("1000.00", "0.13")])
    issue(seller, customer, direction=Direction.RED, original=blue, lines=[line("-400.00", "0.13")])
    blue.refresh_from_db()
    assert blue.status == InvoiceStatus.PARTIALLY_RED_FLUSHED
    with pytest.raises(ValidationError) as exc:
        issue(seller, customer, direction=Direction.RED, original=blue, lines=[line("-600.01", "0.13")])
    assert "exceed" in " ".join(sum(errors_of(exc).values(), []))
    issue(seller, customer, direction=Direction.RED, original=blue, lines=[line("-600.00", "0.13")])
    blue.refresh_from_db()
    assert blue.status == InvoiceStatus.RED_FLUSHED


def test_red_invoice_needs_original_and_negative_amounts(seller, customer, invoice):
    with pytest.raises(ValidationError) as exc:
        issue(seller, customer, direction=Direction.RED, lines=[line("-10.00")])
    assert "original" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        issue(invoice.seller, customer, direction=Direction.RED, original=invoice, lines=[line("10.00")])
    assert "lines.1.amount" in errors_of(exc)


def test_digital_invoice_can_never_be_voided(invoice):
    with pytest.raises(ValidationError) as exc:
        invoice_void(invoice=invoice, actor=None, reason="typo")
    assert "red invoice" in errors_of(exc)["status"][0]
    invoice.status = InvoiceStatus.VOID
    with pytest.raises(IntegrityError), transaction.atomic():
        invoice.save(update_fields=["status"])


def test_legacy_paper_invoice_voided_in_month(seller, customer):
    inv = issue(seller, customer, kind=InvoiceKind.VAT_SPECIAL, code="1100222130", number="00000077")
    invoice_void(invoice=inv, actor=None, reason="开错了")
    inv.refresh_from_db()
    assert inv.status == InvoiceStatus.VOID and inv.events.filter(kind="status_changed").exists()


def test_issued_invoice_is_immutable_and_events_append_only(invoice):
    invoice.buyer_name = "changed"
    with pytest.raises(ValidationError):
        invoice.save()
    event = invoice.events.get()
    with pytest.raises(ValidationError):
        event.save()
    with pytest.raises(ValidationError):
        event.delete()
    with pytest.raises(ValidationError):
        InvoiceEvent.objects.filter(pk=event.pk).update(message="x")
