"""Importing invoices from a file (one row per line; rows sharing code + number form one invoice): what the rows
say about each invoice before the issue rules, which invoice_issue_batch then applies. The import resource only
reads the file and reports; these checks are the import's business rules."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from invoices.ledger.identifiers import normalize_text
from invoices.ledger.models import Customer, Invoice, InvoiceKind, InvoiceLine, Seller
from invoices.ledger.money import line_tax, parse_zero_rate_flag, to_decimal

LINE_COLUMNS = ["line_no", "line_name", "tax_code", "spec", "unit", "quantity", "unit_price", "line_amount",
                "tax_rate", "line_tax_amount", "zero_rate_flag"]
LINE_FIELD = {"line_name": "name", "line_amount": "amount", "line_tax_amount": "tax_amount"}


@dataclass
class InvoiceImportCheck:
    errors: dict  # {position of the row in its invoice's rows, from 1: {column: [messages]}}
    existing: Invoice | None = None
    item: dict | None = None


def invoice_import_lookups(keys, first_rows):
    """What the checks of a batch need from the database, asked once for the batch: the invoices already in the
    ledger with these (code, number) keys, and the sellers and customers the rows name by tax id."""
    first_rows = list(first_rows)
    return (
        _existing_invoices([key for key in keys if key[1]]),
        _by_tax_id(Seller, [normalize_text(row.get("seller_tax_id")) for row in first_rows]),
        _by_tax_id(Customer, [normalize_text(row.get("buyer_tax_id")) for row in first_rows]),
    )


def invoice_import_check(*, key, rows, known):
    """What the file's rows say about one invoice (`key`: its normalised code and number), before the issue rules.
    Decided here (`item` None): already in the ledger with the same lines and total (`existing`, nothing to
    import), or refused with errors (in the ledger with other data, unknown seller or buyer, bad time or kind).
    Otherwise `item` is what invoice_issue_batch issues, and its rules decide."""
    existing, sellers, buyers = known
    code, number = key
    first = rows[0]
    errors = defaultdict(dict)
    if not number:
        errors[1]["number"] = [_("Every row needs the invoice number its line belongs to.")]
        return InvoiceImportCheck(errors=errors)
    lines = [{LINE_FIELD.get(c, c): row.get(c) for c in LINE_COLUMNS if c != "line_no"} for row in rows]
    for line in lines:
        line["zero_rate_flag"] = parse_zero_rate_flag(line.get("zero_rate_flag"))
        for k in ("quantity", "unit_price", "tax_amount", "tax_code", "spec", "unit"):
            if line.get(k) in (None, ""):
                line.pop(k, None)
    found = existing.get(key)
    if found is not None:
        total = sum(_line_total(line) for line in lines)
        if found.line_count == len(lines) and abs(found.total - total) < 1:
            return InvoiceImportCheck(errors={}, existing=found)
        errors[1]["number"] = [_("Invoice %(n)s is already in the ledger with different data; correct it "
                                 "through a reissue.") % {"n": found}]
        return InvoiceImportCheck(errors=errors)
    seller = sellers.get(normalize_text(first.get("seller_tax_id")))
    tax_id = normalize_text(first.get("buyer_tax_id"))
    buyer = buyers.get(tax_id) if tax_id else None
    issued_at = _parse_time(first.get("issued_at"))
    if seller is None:
        errors[1]["seller_tax_id"] = [_("No seller has tax id %(v)s.") % {"v": first.get("seller_tax_id") or "∅"}]
    if buyer is None:
        errors[1]["buyer_tax_id"] = [_("No customer has tax id %(v)s; import the customer first.") % {
            "v": first.get("buyer_tax_id") or "∅"}]
    if issued_at is None:
        errors[1]["issued_at"] = [_("Bad issue time %(v)s (use YYYY-MM-DD HH:MM:SS).") % {
            "v": first.get("issued_at") or "∅"}]
    kind = str(first.get("kind") or "").strip()
    if kind not in InvoiceKind.values:
        errors[1]["kind"] = [_("Unknown invoice kind %(v)s.") % {"v": kind or "∅"}]
    if errors:
        return InvoiceImportCheck(errors=errors)
    return InvoiceImportCheck(errors={}, item={
        "seller": seller, "buyer": buyer, "kind": kind, "code": code, "number": number, "issued_at": issued_at,
        "drawer": str(first.get("drawer") or ""), "remarks": str(first.get("remarks") or ""),
        "buyer_name": str(first.get("buyer_name") or "") or None, "lines": lines,
    })


def _existing_invoices(keys):
    """Invoices of the ledger with these (code, number) keys, with their line counts: two queries at most."""
    numbers = sorted({number for _code, number in keys})
    found = {(inv.code, inv.number): inv for inv in Invoice.objects.filter(number__in=numbers)
             if (inv.code, inv.number) in set(keys)} if numbers else {}
    counts = dict(InvoiceLine.objects.filter(invoice__in=[inv.pk for inv in found.values()]).values("invoice")
                  .annotate(n=Count("id")).values_list("invoice", "n")) if found else {}
    for inv in found.values():
        inv.line_count = counts.get(inv.pk, 0)
    return found


def _by_tax_id(model, tax_ids):
    wanted = sorted({t for t in tax_ids if t})
    return {obj.tax_id: obj for obj in model.objects.filter(tax_id__in=wanted)} if wanted else {}


def _line_total(line):
    amount = _decimal(line.get("amount"))
    tax = line.get("tax_amount")
    if tax in (None, ""):
        try:
            return amount + line_tax(amount, line.get("tax_rate"))
        except ValueError:
            return amount
    return amount + _decimal(tax)


def _decimal(value):
    try:
        return to_decimal(value) if value not in (None, "") else 0
    except ValueError:
        return 0


def _parse_time(value):
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value or "").strip()
        moment = parse_datetime(text) or (parse_datetime(text + " 00:00:00") if len(text) == 10 else None)
    if moment is None:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
