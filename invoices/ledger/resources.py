"""django-import-export resources. Imports go through the same services as the admin (customer_create /
customer_update; invoice_issue's rules through invoice_issue_batch): every rule applies, and the admin runs them
with rollback_on_validation_errors so one bad row means nothing is written."""
from collections import OrderedDict, defaultdict
from datetime import datetime

import tablib
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from import_export import fields, resources
from import_export.results import RowResult

from invoices.ledger.identifiers import normalize_text
from invoices.ledger.models import Customer, Invoice, InvoiceKind, InvoiceLine, Seller
from invoices.ledger.services.customers import (
    CUSTOMER_FIELDS,
    customer_create,
    customer_update,
)
from invoices.ledger.services.issue_batch import invoice_issue_batch


class CustomerResource(resources.ModelResource):
    """One row per customer, matched on tax id: new tax ids are created, known ones updated, unchanged skipped."""

    class Meta:
        model = Customer
        fields = CUSTOMER_FIELDS
        export_order = CUSTOMER_FIELDS
        import_id_fields = ["tax_id"]
        skip_unchanged = True
        report_skipped = True
        use_bulk = False

    def before_import(self, dataset, **kwargs):
        self._actor = kwargs.get("user")

    def before_import_row(self, row, **kwargs):
        # The same normalisation the service applies, so "９１１…" finds the customer stored as "911…".
        if row.get("tax_id"):
            row["tax_id"] = normalize_text(row["tax_id"])

    def get_instance(self, instance_loader, row):
        if not row.get("tax_id"):
            return None  # customers without a tax id are always new rows
        return super().get_instance(instance_loader, row)

    def save_instance(self, instance, is_create, row, **kwargs):
        data = {f: getattr(instance, f) or "" for f in CUSTOMER_FIELDS}
        if is_create:
            saved = customer_create(actor=self._actor, **data)
        else:
            saved = customer_update(customer=instance, actor=self._actor, **data)
        instance.pk = saved.pk


INVOICE_COLUMNS = ["code", "number", "kind", "seller_tax_id", "buyer_tax_id", "buyer_name", "issued_at", "drawer",
                   "remarks"]
LINE_COLUMNS = ["line_no", "line_name", "tax_code", "spec", "unit", "quantity", "unit_price", "line_amount",
                "tax_rate", "line_tax_amount", "tax_exempt"]
LINE_FIELD = {"line_name": "name", "line_amount": "amount", "line_tax_amount": "tax_amount"}


class InvoiceResource(resources.ModelResource):
    """One row per invoice line; rows sharing code + number form one invoice. Invoices are issued
    `import_batch_size` at a time through invoice_issue_batch (invoice_issue's rules, bulk writes).
    Imports create blue invoices only (red ones come from the red-flush workflow). An invoice already in
    the ledger with the same total is skipped; one that differs is invalid (issued invoices are immutable)."""

    code = fields.Field(attribute="code", column_name="code")
    number = fields.Field(attribute="number", column_name="number")
    import_batch_size = 1000  # invoices per invoice_issue_batch call (one transaction savepoint each)

    class Meta:
        model = Invoice
        fields = ["code", "number"]
        import_id_fields = ["code", "number"]
        # use_bulk only drops import-export's savepoint around every row (two statements per row); nothing is
        # written by import-export itself: import_row below never fills its bulk lists, it hands each batch of
        # invoices to invoice_issue_batch, which applies every rule. The whole import still runs in one
        # transaction that the admin rolls back on any invalid row. skip_diff / skip_html_diff /
        # force_init_instance act only inside the library's own import_row, which this resource replaces (it
        # builds no diff and loads no instance per row), so they are left alone.
        use_bulk = True
        report_skipped = True

    def get_user_visible_fields(self):
        return [fields.Field(column_name=c) for c in INVOICE_COLUMNS + LINE_COLUMNS]

    # ---- export: one row per line -------------------------------------------------------------------------
    def export(self, queryset=None, **kwargs):
        queryset = Invoice.objects.all() if queryset is None else queryset
        lines = (InvoiceLine.objects.filter(invoice__in=queryset.values("pk"))
                 .select_related("invoice__seller").order_by("invoice_id", "line_no"))
        dataset = tablib.Dataset(headers=INVOICE_COLUMNS + LINE_COLUMNS)
        for line in lines.iterator(chunk_size=2000):
            inv = line.invoice
            dataset.append([
                inv.code, inv.number, inv.kind, inv.seller.tax_id, inv.buyer_tax_id, inv.buyer_name,
                timezone.localtime(inv.issued_at).strftime("%Y-%m-%d %H:%M:%S"), inv.drawer, inv.remarks,
                line.line_no, line.name, line.tax_code, line.spec, line.unit,
                "" if line.quantity is None else f"{line.quantity.normalize():f}",
                "" if line.unit_price is None else f"{line.unit_price.normalize():f}",
                f"{line.amount:.2f}", f"{line.tax_rate.normalize():f}", f"{line.tax_amount:.2f}",
                "1" if line.tax_exempt else "0",
            ])
        return dataset

    # ---- import: group rows, issue the invoices in batches ------------------------------------------------
    def before_import(self, dataset, **kwargs):
        self._actor = kwargs.get("user")
        self._groups = defaultdict(list)
        for i, values in enumerate(dataset, 1):
            row = dict(zip(dataset.headers, values))
            self._groups[self._key(row)].append(i)
        self._order = list(self._groups)  # invoices in the order of their first row
        self._next = 0
        self._outcome = {}

    @staticmethod
    def _key(row):
        return normalize_text(row.get("code")), normalize_text(row.get("number"))

    def import_row(self, row, instance_loader, **kwargs):
        result = RowResult()
        row_number = kwargs["row_number"]
        key = self._key(row)
        group = self._groups.get(key, [row_number])
        position = group.index(row_number) + 1 if row_number in group else 1
        if key not in self._outcome:
            # Rows come in file order, so the first row of an invoice not yet issued starts the next batch.
            self._issue_batch(kwargs["dataset_rows"])
        outcome = self._outcome[key]
        errors = outcome["errors"].get(position)
        if errors:
            result.import_type = RowResult.IMPORT_TYPE_INVALID
            result.validation_error = ValidationError(errors)
        elif outcome["invoice"] is not None and position == 1:
            result.import_type = outcome["type"]
            result.add_instance_info(outcome["invoice"])
            result.instance = outcome["invoice"]
        else:
            result.import_type = RowResult.IMPORT_TYPE_SKIP
        return result

    def import_data_inner(self, dataset, *args, **kwargs):
        kwargs["dataset_rows"] = [dict(zip(dataset.headers, values)) for values in dataset]
        return super().import_data_inner(dataset, *args, **kwargs)

    def _issue_batch(self, rows):
        """Check and issue the next IMPORT_BATCH invoices of the file: sellers, customers and invoices already in
        the ledger looked up once for the batch, then invoice_issue_batch. Records each invoice's outcome, with
        errors keyed by the row's position in its group."""
        keys = self._order[self._next:self._next + self.import_batch_size]
        self._next += len(keys)
        firsts = {key: rows[self._groups[key][0] - 1] for key in keys}
        existing = _existing_invoices([key for key in keys if key[1]])
        sellers = _by_tax_id(Seller, [normalize_text(first.get("seller_tax_id")) for first in firsts.values()])
        buyers = _by_tax_id(Customer, [normalize_text(first.get("buyer_tax_id")) for first in firsts.values()])
        items, issued_keys = [], []
        for key in keys:
            outcome, item = self._check_invoice(key, [rows[i - 1] for i in self._groups[key]], existing, sellers,
                                                buyers)
            if item is None:
                self._outcome[key] = outcome
            else:
                items.append(item)
                issued_keys.append(key)
        if not items:
            return
        for key, issued in zip(issued_keys, invoice_issue_batch(actor=self._actor, items=items)):
            if issued.errors:
                self._outcome[key] = {"errors": _errors_by_row(issued.errors), "invoice": None, "type": None}
            else:
                self._outcome[key] = {"errors": {}, "invoice": issued.invoice, "type": RowResult.IMPORT_TYPE_NEW}

    def _check_invoice(self, key, group_rows, existing, sellers, buyers):
        """What the file says about one invoice, before the issue rules: (outcome, None) when it is decided here
        (already in the ledger, unknown seller or buyer, bad time or kind), else (None, invoice_issue_batch item)."""
        code, number = key
        first = group_rows[0]
        errors = defaultdict(dict)
        if not number:
            errors[1]["number"] = [_("Every row needs the invoice number its line belongs to.")]
            return {"errors": errors, "invoice": None, "type": None}, None
        lines = [{LINE_FIELD.get(c, c): row.get(c) for c in LINE_COLUMNS if c != "line_no"} for row in group_rows]
        for line in lines:
            line["tax_exempt"] = str(line.get("tax_exempt") or "").strip().lower() in ("1", "true", "yes", "是")
            for k in ("quantity", "unit_price", "tax_amount", "tax_code", "spec", "unit"):
                if line.get(k) in (None, ""):
                    line.pop(k, None)
        found = existing.get(key)
        if found is not None:
            total = sum(_line_total(line) for line in lines)
            if found.line_count == len(lines) and abs(found.total - total) < 1:
                return {"errors": {}, "invoice": found, "type": RowResult.IMPORT_TYPE_SKIP}, None
            errors[1]["number"] = [_("Invoice %(n)s is already in the ledger with different data; correct it "
                                     "through a reissue.") % {"n": found}]
            return {"errors": errors, "invoice": None, "type": None}, None
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
            return {"errors": errors, "invoice": None, "type": None}, None
        return None, {
            "seller": seller, "buyer": buyer, "kind": kind, "code": code, "number": number, "issued_at": issued_at,
            "drawer": str(first.get("drawer") or ""), "remarks": str(first.get("remarks") or ""),
            "buyer_name": str(first.get("buyer_name") or "") or None, "lines": lines,
        }


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


def _errors_by_row(message_dict):
    """invoice_issue's errors ('lines.<n>.<field>' for the n-th line) keyed by the row's position in its group."""
    errors = defaultdict(dict)
    for field, messages in message_dict.items():
        parts = field.split(".")
        if parts[0] == "lines" and len(parts) == 3:  # lines.<n>.<field> → the n-th row of the group
            errors[int(parts[1])][_line_column(parts[2])] = messages
        else:
            errors[1][field] = messages
    return errors


def _line_column(field):
    return {v: k for k, v in LINE_FIELD.items()}.get(field, field)


def _line_total(line):
    from invoices.ledger.money import line_tax

    amount = _decimal(line.get("amount"))
    tax = line.get("tax_amount")
    if tax in (None, ""):
        try:
            return amount + line_tax(amount, line.get("tax_rate"))
        except ValueError:
            return amount
    return amount + _decimal(tax)


def _decimal(value):
    from invoices.ledger.money import to_decimal

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


__all__ = ["CustomerResource", "InvoiceResource", "OrderedDict"]
