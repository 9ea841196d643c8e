"""invoice_issue_batch against invoice_issue: the same rules, the same rows, the same post-commit facts.

The reference is the single path itself: the same items are issued one by one with invoice_issue (each
ValidationError caught) and in one invoice_issue_batch call, each inside a savepoint that is rolled back, and
everything both wrote is compared row by row."""
import json
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_q.models import Task

from core.history import acting_as
from invoices.ledger.identifiers import check_tax_id
from invoices.ledger.models import (
    Direction,
    Invoice,
    InvoiceEvent,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    NumberSequence,
    SyncStatus,
)
from invoices.ledger.services.issue import invoice_issue
from invoices.ledger.services.issue_batch import invoice_issue_batch
from invoices.platform.models import PlatformInvoice, SyncState

from ... import factories
from ...factories import line
from ...sync_helpers import collect, signals

pytestmark = pytest.mark.django_db

T0 = timezone.make_aware(datetime(2026, 5, 6, 9, 0))


def at(minutes):
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def ledger(seller, customer):
    """Two sellers, buyers with and without a tax id, a blue invoice to red-flush, a number already taken, and
    a sequence whose next slots are partly occupied by hand-entered numbers."""
    other_seller = factories.seller()
    no_tax_id = factories.customer(tax_id="")
    blue = factories.invoice(seller_obj=seller, buyer=customer, issued_at=at(-60), lines=[line("1000.00", "0.13")])
    taken = factories.invoice(seller_obj=seller, buyer=customer, issued_at=at(-50))
    seq = NumberSequence.objects.get(seller=seller, year=2026)
    prefix = f"26{seller.region_code}2"
    # The slot after next is taken in the ledger by a hand-entered number: allocation must step over it.
    factories.invoice(seller_obj=seller, buyer=customer, issued_at=at(-40), number=f"{prefix}{seq.last + 4:015d}")
    return {"seller": seller, "other": other_seller, "buyer": customer, "no_tax_id": no_tax_id, "blue": blue,
            "taken": taken, "prefix": prefix, "last": seq.last}


def mixed_items(d):
    """Valid items and every kind of invalid one, in an order where later items depend on earlier ones."""
    s, b, blue, p, last = d["seller"], d["buyer"], d["blue"], d["prefix"], d["last"]
    num = f"{p}{900_000_000_000_001:015d}"
    digital = {"seller": s, "buyer": b, "kind": InvoiceKind.DIGITAL_GENERAL}
    long_lines = [line("100.00", "0.13", tax_amount=Decimal("13.05")) for _ in range(30)]
    return [
        {**digital, "number": num, "issued_at": at(1), "lines": [line("100.00"), line("50.00", "0.06")],
         "drawer": "李娜", "remarks": "导入"},
        {**digital, "issued_at": at(2), "lines": [line("10.00")]},  # allocated: last + 1
        {**digital, "number": "2.6112E+19", "issued_at": at(3), "lines": [line()]},
        {**digital, "number": "123", "issued_at": at(4), "lines": [line()]},
        {**digital, "number": f"{p}{900_000_000_000_002:015d}", "issued_at": at(5),
         "lines": [{**line(), "amount": "abc"}, line("10.00", "0.17"), line("1.001"), {"amount": "1", "tax_rate": "0.13"}]},
        {**digital, "number": num, "issued_at": at(6), "lines": [line()]},  # taken by the first item
        {**digital, "number": f"{p}{900_000_000_000_003:015d}", "issued_at": at(7), "lines": [line("10.00", "0.5")]},
        # The same number again: the invalid item before wrote nothing, so this one is issued.
        {**digital, "number": f"{p}{900_000_000_000_003:015d}", "issued_at": at(8), "lines": [line("20.00")]},
        {**digital, "number": d["taken"].number, "issued_at": at(9), "lines": [line()]},  # in the ledger
        {**digital, "number": f"{p}{last + 2:015d}", "issued_at": at(10), "lines": [line()]},  # next free slot
        {**digital, "issued_at": at(11), "lines": [line()]},  # steps over last + 2 (batch) → last + 3
        {**digital, "issued_at": at(12), "lines": [line()]},  # steps over last + 4 (ledger) → last + 5
        {"seller": s, "buyer": b, "kind": InvoiceKind.VAT_SPECIAL, "code": "1100222130", "number": "00000001",
         "issued_at": at(13), "lines": [line("300.00", "0.09")]},
        {"seller": s, "buyer": d["no_tax_id"], "kind": InvoiceKind.DIGITAL_SPECIAL, "issued_at": at(14),
         "lines": [line()]},
        {**digital, "issued_at": datetime(2026, 5, 6, 10, 0), "lines": [line()]},  # naive time
        {**digital, "kind": "paper", "issued_at": at(15), "lines": [line()]},
        {**digital, "issued_at": at(16), "lines": long_lines},  # invoice-level tax tolerance
        {**digital, "issued_at": at(17), "lines": [line("5.00", "0.13", zero_rate_flag="exempt")]},
        {**digital, "issued_at": at(18), "lines": [line("5.00")], "sync_status": SyncStatus.SYNCED},
        {**digital, "issued_at": at(19), "lines": [line("5.00")], "sync_status": "bogus"},
        {**digital, "issued_at": at(20), "lines": [line("5.00")], "buyer_name": " ", "buyer_tax_id": "12345"},
        {**digital, "issued_at": at(21), "lines": []},
        # Red-flushes of the ledger's blue invoice (1,000.00 + 130.00): partial, too much, the rest, then none left.
        {**digital, "direction": Direction.RED, "original": blue, "issued_at": at(22), "lines": [line("-400.00")]},
        {**digital, "direction": Direction.RED, "original": blue, "issued_at": at(23), "lines": [line("-600.01")]},
        {**digital, "direction": Direction.RED, "original": blue, "issued_at": at(24), "lines": [line("-600.00")]},
        {**digital, "direction": Direction.RED, "original": blue, "issued_at": at(25), "lines": [line("-1.00")]},
        {**digital, "original": blue, "issued_at": at(26), "lines": [line()]},  # blue naming an original
        {**digital, "seller": d["other"], "direction": Direction.RED, "original": blue, "issued_at": at(27),
         "lines": [line("-1.00")]},
        {**digital, "direction": Direction.RED, "issued_at": at(28), "lines": [line("-1.00")]},  # no original
        {**digital, "direction": Direction.RED, "original": blue, "issued_at": at(29), "lines": [line("1.00")]},
        # A legacy tax id (a warning in the event's JSON) and text COPY must escape.
        {**digital, "issued_at": at(30), "lines": [line("7.00", name="纸\t\"箱\"\\1")],
         "buyer_tax_id": legacy_tax_id(b.tax_id), "remarks": "备注\twith tab\nnew line \\N backslash",
         "drawer": "O'Brien"},
    ]


def legacy_tax_id(_valid):
    """An ID-card-shaped 18-character id failing GB 11643 (the check digit of these 17 is 4): accepted with a
    warning."""
    candidate = "110101199003077777"
    assert check_tax_id(candidate).ok and check_tax_id(candidate).warning
    return candidate


def snapshot():
    """Everything an issue writes, without ids and write times, invoices named by (code, number)."""
    name = {pk: (code, number) for pk, code, number in Invoice.objects.values_list("pk", "code", "number")}
    invoices = sorted(
        (name[i.pk], i.kind, i.direction, i.issued_at, i.seller_id, i.buyer_id, i.buyer_name, i.buyer_tax_id,
         i.amount, i.tax_amount, i.total, i.status, i.sync_status, i.remarks, i.drawer, name.get(i.original_id),
         i.created_by_id)
        for i in Invoice.objects.all()
    )
    lines = sorted(
        (name[ln.invoice_id], ln.line_no, ln.name, ln.tax_code, ln.spec, ln.unit, ln.quantity, ln.unit_price,
         ln.amount, ln.tax_rate, ln.zero_rate_flag, ln.tax_amount)
        for ln in InvoiceLine.objects.all()
    )

    def data(d):
        d = dict(d)
        if "red_invoice_id" in d:
            d["red_invoice_id"] = name[d["red_invoice_id"]]
        return json.dumps(d, sort_keys=True, default=str)

    events = sorted((name[e.invoice_id], e.kind, e.actor_id, e.message, e.message_code, data(e.params), data(e.data))
                    for e in InvoiceEvent.objects.all())
    tracked = [f.attname for f in Invoice.history.model.tracked_fields if f.attname not in ("id", "created_at")]
    history = sorted((name[h.id], h.history_type, h.history_user_id, h.history_change_reason,
                      tuple(str(getattr(h, a)) for a in tracked)) for h in Invoice.history.all())
    states = sorted((name[s.invoice_id], s.attempts, s.gave_up, s.last_error, s.next_attempt_at is None)
                    for s in SyncState.objects.all())
    sequences = sorted(NumberSequence.objects.values_list("seller_id", "year", "channel", "last"))
    return {"invoices": invoices, "lines": lines, "events": events, "history": history, "states": states,
            "sequences": sequences}


def rolled_back(fn):
    with transaction.atomic():
        outcome = fn()
        state = snapshot()
        transaction.set_rollback(True)
    return outcome, state


def one_by_one(actor, items):
    outcome = []
    for item in items:
        try:
            invoice = invoice_issue(actor=actor, **item)
        except ValidationError as exc:
            outcome.append(("invalid", exc.message_dict))
        else:
            outcome.append(("issued", invoice.code, invoice.number, invoice.warnings))
    return outcome


def in_one_batch(actor, items):
    return [("invalid", r.errors) if r.errors else ("issued", r.invoice.code, r.invoice.number, r.invoice.warnings)
            for r in invoice_issue_batch(actor=actor, items=items)]


def test_batch_gives_what_invoice_issue_gives_one_by_one(ledger, finance_user):
    with acting_as(finance_user):  # history rows name the acting user on both paths
        single, single_rows = rolled_back(lambda: one_by_one(finance_user, mixed_items(ledger)))
        batch, batch_rows = rolled_back(lambda: in_one_batch(finance_user, mixed_items(ledger)))
    assert batch == single
    for table in single_rows:
        assert batch_rows[table] == single_rows[table], table
    # The dataset really exercises what it claims to: both outcomes, every later-depends-on-earlier case.
    kinds = [o[0] for o in single]
    assert kinds.count("issued") == 11 and kinds.count("invalid") == 20
    assert single[-1][3] and "legacy" in single[-1][3][0]  # the warning, kept on the invoice and in its event
    p, last = ledger["prefix"], ledger["last"]
    assert [o[2] for o in single if o[0] == "issued"][1:5] == [
        f"{p}{last + 1:015d}", f"{p}{900_000_000_000_003:015d}", f"{p}{last + 2:015d}", f"{p}{last + 3:015d}"]
    assert "already exists" in single[5][1]["number"][0] and "already exists" in single[8][1]["number"][0]
    assert "cannot be red-flushed again" in single[25][1]["original"][0]
    flushed = [h for h in batch_rows["history"] if h[0] == ("", ledger["blue"].number) and h[1] == "~"]
    assert [(h[2], InvoiceStatus.RED_FLUSHED in h[4]) for h in flushed] == [(finance_user.pk, False),
                                                                              (finance_user.pk, True)]


def test_batch_writes_one_event_history_row_and_sync_state_per_invoice(seller, customer, finance_user):
    items = [{"seller": seller, "buyer": customer, "kind": InvoiceKind.DIGITAL_GENERAL, "issued_at": at(n),
              "lines": [line("10.00"), line("20.00", "0.06")]} for n in range(25)]
    with acting_as(finance_user):
        results = invoice_issue_batch(actor=finance_user, items=items)
    invoices = [r.invoice for r in results]
    assert all(not r.errors for r in results) and len({inv.number for inv in invoices}) == 25
    for inv in invoices:
        inv.refresh_from_db()
        assert inv.lines.count() == 2 and inv.total == Decimal("32.50") and inv.sync_status == SyncStatus.PENDING
        event = inv.events.get()
        assert event.kind == "issued" and event.actor == finance_user and event.data["lines"] == 2
        record = inv.history.get()
        assert record.history_type == "+" and record.history_user == finance_user
        state = SyncState.objects.get(invoice=inv)
        assert state.attempts == 0 and state.next_attempt_at is not None


def test_every_invoice_is_announced_and_after_commit_synced_through_few_tasks(
        seller, customer, finance_user, settings, django_capture_on_commit_callbacks):
    settings.TAX_PLATFORM_SYNC = {"fan_out_size": 10}  # uploads per fan-out step
    items = [{"seller": seller, "buyer": customer, "kind": InvoiceKind.DIGITAL_GENERAL, "issued_at": at(n),
              "lines": [line("10.00")]} for n in range(24)]
    items.append({**items[0], "lines": []})  # invalid: neither announced nor queued
    items.append({**items[0], "issued_at": at(30), "sync_status": SyncStatus.SYNCED})  # historical: not queued
    with collect(signals.invoice_issued) as issued:
        with django_capture_on_commit_callbacks() as hooks:
            results = invoice_issue_batch(actor=finance_user, items=items)
        # The signals are part of the issuing transaction (receivers enqueue jobs in it); after the commit, one
        # hook for the sync fan-out: not 25.
        ids = [r.invoice.pk for r in results if r.invoice]
        assert issued.calls == [{"invoice_id": pk, "actor_id": finance_user.pk} for pk in ids] and len(hooks) == 1
        for hook in hooks:
            with django_capture_on_commit_callbacks(execute=True):  # the tasks the hooks queue run inline
                hook()
    steps = [t for t in Task.objects.filter(func="core.jobs.tasks.run_named") if t.args[0] == "platform.queue_sync_range"]
    assert len(steps) == 3  # 24 pending / 10
    for pk in ids[:24]:
        invoice = Invoice.objects.get(pk=pk)
        assert invoice.sync_status == SyncStatus.SYNCED
        assert PlatformInvoice.objects.get(number=invoice.number).uploads == 1
    assert not SyncState.objects.filter(invoice_id=ids[24]).exists()
    assert not PlatformInvoice.objects.filter(number=Invoice.objects.get(pk=ids[24]).number).exists()


def test_fan_out_queues_only_invoices_still_pending(seller, customer, django_capture_on_commit_callbacks):
    from invoices.platform.services.sync_support import queue_sync_tasks

    results = invoice_issue_batch(actor=None, items=[
        {"seller": seller, "buyer": customer, "kind": InvoiceKind.DIGITAL_GENERAL, "issued_at": at(n),
         "lines": [line()]} for n in range(3)])
    ids = [r.invoice.pk for r in results]
    Invoice.objects.filter(pk=ids[0]).update(sync_status=SyncStatus.SYNCED)  # e.g. a fast re-sync got there first
    with django_capture_on_commit_callbacks() as queued:
        assert queue_sync_tasks(ids) == 2
    assert len(queued) == 2


def test_unknown_or_missing_item_keys_are_refused_before_anything_is_written(seller, customer):
    with pytest.raises(TypeError):
        invoice_issue_batch(actor=None, items=[{"seller": seller, "buyer": customer, "kind": "digital_general",
                                                "lines": [line()], "colour": "blue"}])
    with pytest.raises(TypeError):
        invoice_issue_batch(actor=None, items=[{"seller": seller, "kind": "digital_general", "lines": [line()]}])
    assert not Invoice.objects.exists()


def test_the_fan_out_queues_the_next_step_behind_this_steps_uploads(seller, customer, settings,
                                                                    django_capture_on_commit_callbacks):
    """Work queued during a big import's fan-out waits behind one step of uploads, not every invoice's."""
    from invoices.platform.services.sync_support import queue_sync_range

    settings.TAX_PLATFORM_SYNC = {"fan_out_size": 2}
    with django_capture_on_commit_callbacks(execute=False):
        results = invoice_issue_batch(actor=None, items=[
            {"seller": seller, "buyer": customer, "kind": InvoiceKind.DIGITAL_GENERAL, "issued_at": at(n),
             "lines": [line()]} for n in range(5)])
    ids = [r.invoice.pk for r in results]
    with django_capture_on_commit_callbacks() as queued:
        assert queue_sync_range(ids[0], ids[-1]) == 2
    # Two uploads, then the next step: FIFO puts it after them.
    assert len(queued) == 3


def test_a_transaction_of_many_batches_starts_one_upload_chain(seller, customer, finance_user, settings,
                                                                django_capture_on_commit_callbacks):
    """An import issues chunk by chunk in one transaction: one fan-out chain for all of it, so other work (a
    reissue's completion, an email) waits behind one step of uploads, not one step per chunk."""
    settings.TAX_PLATFORM_SYNC = {"fan_out_size": 10}
    items = [{"seller": seller, "buyer": customer, "kind": InvoiceKind.DIGITAL_GENERAL, "issued_at": at(n),
              "lines": [line("10.00")]} for n in range(30)]
    with django_capture_on_commit_callbacks() as hooks:
        with transaction.atomic():
            chunks = [invoice_issue_batch(actor=finance_user, items=items[i:i + 10]) for i in (0, 10, 20)]
    ids = [r.invoice.pk for chunk in chunks for r in chunk]
    assert len(hooks) == 1 and hooks[0].params == {"first": min(ids), "last": max(ids)}
    with django_capture_on_commit_callbacks(execute=True):
        hooks[0]()
    steps = [t for t in Task.objects.filter(func="core.jobs.tasks.run_named") if t.args[0] == "platform.queue_sync_range"]
    assert len(steps) == 3  # 30 pending / 10 a step, one chain
    assert Invoice.objects.filter(pk__in=ids, sync_status=SyncStatus.SYNCED).count() == 30
