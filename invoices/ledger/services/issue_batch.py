"""Issuing many invoices in one transaction (imports): the rules of invoice_issue (issue_rules.check_issue),
applied item by item in order, with the lookups done set-wise and the rows written in bulk.

The result is the one a loop would give that calls invoice_issue for each item inside one transaction and
catches its ValidationError: a later item sees the numbers taken and the red-flushes made by the valid items
before it. Per batch instead of per invoice: one query for the numbers already in the ledger, one lock over the
originals of red items (primary-key order, locks.py) and one per number sequence used, one bulk insert each for
invoices, their history rows, lines, `issued` events and sync states (COPY on PostgreSQL, see
core/bulk_insert.py), and one commit hook for the sync queue."""
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.bulk_insert import insert_objects, insert_rows
from core.history import created_history_rows
from invoices.ledger.locks import lock_invoices
from invoices.ledger.models import (
    Direction,
    Invoice,
    InvoiceEvent,
    InvoiceLine,
    NumberSequence,
)
from invoices.ledger.services.events import invoice_event_record
from invoices.ledger.services.issue import flushed_by_reds
from invoices.ledger.services.issue_rows import (
    event_values,
    invoice_row,
    issued_event_fields,
    line_values,
    red_flushed_event_fields,
)
from invoices.ledger.services.issue_rules import (
    ISSUE_DEFAULTS,
    ISSUE_REQUIRED,
    check_issue,
    message_dict,
    number_taken_message,
    status_after_red,
)
from invoices.ledger.services.numbers import normalize_number
from invoices.signals import invoice_issued, invoices_awaiting_upload

# Numbers per query when looking up which are taken; also the window of sequence numbers checked at once.
LOOKUP_CHUNK = 1000


@dataclass
class IssueResult:
    """One item's outcome: the invoice written, or errors as invoice_issue's ValidationError.message_dict has
    them ({"lines.2.tax_rate": ["…"], …})."""
    invoice: Invoice | None = None
    errors: dict = field(default_factory=dict)


def _taken_numbers(pairs):
    """The (code, number) pairs among `pairs` already in the ledger, one query per LOOKUP_CHUNK numbers."""
    numbers = sorted({number for _code, number in pairs})
    taken = set()
    for i in range(0, len(numbers), LOOKUP_CHUNK):
        chunk = numbers[i:i + LOOKUP_CHUNK]
        taken.update(Invoice.objects.filter(number__in=chunk).values_list("code", "number"))
    return taken & set(pairs)


class _Sequences:
    """allocate_digital_number for a whole batch: each (seller, year) sequence row is locked once, the ledger is
    asked which numbers of a window are taken once per window, and the row is saved once at the end."""

    def __init__(self, claimed):
        self.claimed = claimed  # (code, number) of the batch's earlier valid items
        self.rows = {}

    def lock(self, keys, channel="2"):
        """Lock the existing sequence rows the batch may draw from, in one order for every batch (no deadlock
        between two imports). Rows not there yet are created on first use, as allocate_digital_number does."""
        if not keys:
            return
        q = Q()
        for seller, year in keys:
            q |= Q(seller_id=seller.pk, year=year)
        sellers = {seller.pk: seller for seller, _year in keys}
        for seq in NumberSequence.objects.select_for_update().filter(q, channel=channel).order_by("seller_id", "year"):
            self._keep(seq, sellers[seq.seller_id])

    def _keep(self, seq, seller):
        seq.prefix = f"{seq.year % 100:02d}{seller.region_code}{seq.channel}"
        seq.window_end, seq.window_taken = seq.last, set()
        self.rows[(seller.pk, seq.year)] = seq
        return seq

    def _row(self, seller, year, channel="2"):
        if (seller.pk, year) not in self.rows:
            NumberSequence.objects.get_or_create(seller=seller, year=year, channel=channel)
            self._keep(NumberSequence.objects.select_for_update().get(seller=seller, year=year, channel=channel),
                       seller)
        return self.rows[(seller.pk, year)]

    def allocate(self, seller, issued_at):
        seq = self._row(seller, timezone.localtime(issued_at).year)
        while True:
            seq.last += 1
            if seq.last > seq.window_end:
                seq.window_end = seq.last + LOOKUP_CHUNK - 1
                low, high = (f"{seq.prefix}{n:015d}" for n in (seq.last, seq.window_end))
                seq.window_taken = set(Invoice.objects.filter(code="", number__gte=low, number__lte=high)
                                       .values_list("number", flat=True))
            number = f"{seq.prefix}{seq.last:015d}"
            # Numbers entered by hand or imported may already occupy a slot; skip past them.
            if number not in seq.window_taken and ("", number) not in self.claimed:
                return number

    def save(self):
        for seq in self.rows.values():
            seq.save(update_fields=["last"])


class _Originals:
    """Red items' originals, locked once, with what red invoices took from them kept current through the batch."""

    def __init__(self, items):
        ids = {item["original"].pk for item in items if item["original"] is not None}
        self.locked = lock_invoices(ids) if ids else {}
        self.flushed = {}

    def get(self, original):
        return None if original is None else self.locked[original.pk]

    def flushed_of(self, original):
        if original.pk not in self.flushed:
            self.flushed[original.pk] = flushed_by_reds(original)
        return self.flushed[original.pk]

    def take(self, draft):
        """Record a valid red item against its original; return (old, new) status if it moved, else None."""
        original = draft.original
        sums = self.flushed_of(original)
        for key, value in (("amount", draft.amount), ("tax", draft.tax), ("total", draft.total)):
            sums[key] = (sums[key] or Decimal(0)) + value
        new = status_after_red(original, -sums["total"])
        if new == original.status:
            return None
        old, original.status = original.status, new
        return old, new


def _items(items):
    out = []
    for item in items:
        unknown = set(item) - set(ISSUE_DEFAULTS) - set(ISSUE_REQUIRED)
        missing = set(ISSUE_REQUIRED) - set(item)
        if unknown or missing:
            raise TypeError(f"invoice_issue_batch item: unknown {sorted(unknown)}, missing {sorted(missing)}")
        out.append({**ISSUE_DEFAULTS, **item})
    return out


@transaction.atomic
def invoice_issue_batch(*, actor, items):
    """Issue every valid item (a dict of invoice_issue's keyword arguments besides `actor`), in order; return one
    IssueResult per item. Valid items are written even when others are not: callers that want all-or-nothing
    roll back when any result has errors (the import runs inside a transaction that does)."""
    items = _items(items)
    originals = _Originals(items)
    explicit = [(normalize_number(i["code"]), normalize_number(i["number"])) for i in items if i["number"]]
    taken = _taken_numbers(explicit) if explicit else set()
    claimed = set()
    sequences = _Sequences(claimed)
    sequences.lock({(i["seller"], timezone.localtime(i["issued_at"] or timezone.now()).year) for i in items
                    if not i["number"] and not (i["issued_at"] and timezone.is_naive(i["issued_at"]))})
    results, drafts, moves = [], [], []
    for item in items:
        draft, errors = check_issue(**{**item, "original": originals.get(item["original"])},
                                    flushed_of=originals.flushed_of)
        key = (draft.code, draft.number)
        if not errors and draft.number and (key in taken or key in claimed):
            errors["number"] = number_taken_message(draft.code, draft.number)
        if errors:
            results.append(IssueResult(errors=message_dict(errors)))
            continue
        if not draft.number:
            draft.number = sequences.allocate(draft.seller, draft.issued_at)
        claimed.add((draft.code, draft.number))
        if draft.direction == Direction.RED:
            move = originals.take(draft)
            if move:
                moves.append((draft, *move))
        results.append(IssueResult())
        drafts.append((draft, results[-1]))
    sequences.save()
    if drafts:
        _write(actor, drafts, moves)
    return results


def _write(actor, drafts, moves):
    invoices = insert_objects(Invoice, [invoice_row(d, actor=actor) for d, _r in drafts])
    insert_rows(Invoice.history.model, created_history_rows(Invoice, invoices))
    actor_id = getattr(actor, "pk", None)
    lines, events = [], []
    for invoice, (draft, result) in zip(invoices, drafts):
        invoice.warnings = draft.warnings
        result.invoice = draft.invoice = invoice
        lines.extend({"invoice_id": invoice.pk, **values} for values in line_values(draft))
        events.append(event_values(invoice_id=invoice.pk, actor_id=actor_id, **issued_event_fields(invoice, draft)))
    insert_rows(InvoiceLine, lines)
    insert_rows(InvoiceEvent, events)
    for draft, old, new in moves:
        # Rare in a batch (imports are blue); kept per move so the history and events match invoice_issue's.
        original = draft.original
        original.status = new
        original.save(update_fields=["status"])
        invoice_event_record(invoice=original, actor=actor,
                             **red_flushed_event_fields(red=draft.invoice, old=old, new=new))
    to_upload = [inv.pk for inv, (draft, _r) in zip(invoices, drafts) if draft.queue_upload]
    if to_upload:
        invoices_awaiting_upload.send(sender=Invoice, invoice_ids=to_upload, batch=True)
    for inv in invoices:
        invoice_issued.send(sender=Invoice, invoice_id=inv.pk, actor_id=actor_id)
