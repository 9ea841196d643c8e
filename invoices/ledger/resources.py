"""django-import-export resources. Imports go through the same services as the admin (customer_create /
customer_update; invoice_issue's rules through invoice_issue_batch): every rule applies, and the admin runs them
with rollback_on_validation_errors so one bad row means nothing is written."""
from collections import defaultdict

import tablib
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from import_export import fields, resources
from import_export.results import RowResult

from core.export_safety import SafeExportResource
from invoices.ledger.identifiers import normalize_text
from invoices.ledger.models import Customer, Invoice, InvoiceLine
from invoices.ledger.resource_headers import INVOICE_FILE_LABELS, TranslatedHeadersMixin
from invoices.ledger.services.customers import (
    CUSTOMER_FIELDS,
    customer_create,
    customer_update,
)
from invoices.ledger.services.invoice_import import (
    LINE_COLUMNS,
    LINE_FIELD,
    invoice_import_check,
    invoice_import_lookups,
)
from invoices.ledger.services.issue_batch import invoice_issue_batch


class CustomerResource(SafeExportResource, TranslatedHeadersMixin, resources.ModelResource):
    """One row per customer, matched on tax id: new tax ids are created, known ones updated, unchanged skipped."""

    class Meta:
        model = Customer
        fields = CUSTOMER_FIELDS
        export_order = CUSTOMER_FIELDS
        import_id_fields = ["tax_id"]
        skip_unchanged = True
        report_skipped = True
        use_bulk = False

    import_key_column = "tax_id"  # names the row in a background import's error list

    def skip_reason(self, result):
        return gettext("Unchanged: the same as the customer already stored.")

    def get_diff_headers(self):
        return [*super().get_diff_headers(), pgettext("import preview", "note")]

    def import_row(self, row, instance_loader, **kwargs):
        # The preview says why a row is skipped instead of a bare 跳过.
        # A row's warnings (a legacy or ID-card-shaped 纳税人识别号) go in the same column, so the preview shows
        # them before the import is confirmed.
        self._row_warnings = []
        result = super().import_row(row, instance_loader, **kwargs)
        if result.diff is not None:
            result.diff.append(self.skip_reason(result) if result.import_type == RowResult.IMPORT_TYPE_SKIP
                               else " ".join(str(w) for w in self._row_warnings))
        return result

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
        self._row_warnings = list(saved.warnings)


INVOICE_COLUMNS = ["code", "number", "kind", "seller_tax_id", "buyer_tax_id", "buyer_name", "issued_at", "drawer",
                   "remarks"]


class InvoiceResource(SafeExportResource, TranslatedHeadersMixin, resources.ModelResource):
    """One row per invoice line; rows sharing code + number form one invoice. Invoices are issued
    `import_batch_size` at a time through invoice_issue_batch (invoice_issue's rules, bulk writes).
    Imports create blue invoices only (red ones come from the red-flush workflow). An invoice already in
    the ledger with the same total is skipped; one that differs is invalid (issued invoices are immutable)."""

    code = fields.Field(attribute="code", column_name="code")
    number = fields.Field(attribute="number", column_name="number")
    import_batch_size = 1000  # invoices per invoice_issue_batch call (one transaction savepoint each)
    import_key_column = "number"  # names the row in a background import's error list
    header_labels = INVOICE_FILE_LABELS

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
        dataset = tablib.Dataset(headers=[self.header_label(c) for c in INVOICE_COLUMNS + LINE_COLUMNS])
        for line in lines.iterator(chunk_size=2000):
            inv = line.invoice
            dataset.append([
                inv.code, inv.number, inv.kind, inv.seller.tax_id, inv.buyer_tax_id, inv.buyer_name,
                timezone.localtime(inv.issued_at).strftime("%Y-%m-%d %H:%M:%S"), inv.drawer, inv.remarks,
                line.line_no, line.name, line.tax_code, line.spec, line.unit,
                "" if line.quantity is None else f"{line.quantity.normalize():f}",
                "" if line.unit_price is None else f"{line.unit_price.normalize():f}",
                f"{line.amount:.2f}", f"{line.tax_rate.normalize():f}", f"{line.tax_amount:.2f}",
                line.zero_rate_flag,
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
        self._line_rows = []  # results of an invoice's 2nd, 3rd… rows: lines of it, not rows of their own

    @staticmethod
    def _key(row):
        return normalize_text(row.get("code")), normalize_text(row.get("number"))

    def import_chunk_key(self, row):
        """A background import cuts its file into chunks only between invoices (imports/chunks.py): the row's
        invoice, whichever language the file's headers are in."""
        if not hasattr(self, "_chunk_columns"):
            self._chunk_columns = self.column_for_header()
        return self._key({self._chunk_columns.get(str(h).strip(), h): v for h, v in row.items()})

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
        # The preview's number and code columns show which invoice the row belongs to; the note says why a row
        # is not imported.
        result.diff = [row.get("code") or "", row.get("number") or "", ""]
        errors = outcome["errors"].get(position)
        if errors:
            result.import_type = RowResult.IMPORT_TYPE_INVALID
            result.validation_error = ValidationError(errors)
        elif outcome["invoice"] is not None and position == 1:
            result.import_type = outcome["type"]
            result.add_instance_info(outcome["invoice"])
            result.instance = outcome["invoice"]
            if outcome["type"] == RowResult.IMPORT_TYPE_SKIP:
                result.diff[2] = gettext("Already in the ledger with the same total.")
        else:
            result.import_type = RowResult.IMPORT_TYPE_SKIP
            result.diff[2] = gettext("Another line of this invoice has an error; the invoice is not imported.")
            if position > 1:
                self._line_rows.append(result)
        return result

    def get_diff_headers(self):
        return [*super().get_diff_headers(), pgettext("import preview", "note")]

    def skip_reason(self, result):
        return result.diff[2] if result.diff else ""

    def import_data(self, dataset, *args, **kwargs):
        result = super().import_data(dataset, *args, **kwargs)
        # An invoice's further lines were counted and listed as skipped rows; they are part of that invoice.
        lines = {id(r) for r in getattr(self, "_line_rows", [])}
        if lines:
            result.totals[RowResult.IMPORT_TYPE_SKIP] -= len(lines)
            result.rows = [r for r in result.rows if id(r) not in lines]
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
        known = invoice_import_lookups(keys, firsts.values())
        items, issued_keys = [], []
        for key in keys:
            check = invoice_import_check(key=key, rows=[rows[i - 1] for i in self._groups[key]], known=known)
            if check.item is None:
                kind = RowResult.IMPORT_TYPE_SKIP if check.existing is not None else None
                self._outcome[key] = {"errors": check.errors, "invoice": check.existing, "type": kind}
            else:
                items.append(check.item)
                issued_keys.append(key)
        if not items:
            return
        for key, issued in zip(issued_keys, invoice_issue_batch(actor=self._actor, items=items)):
            if issued.errors:
                self._outcome[key] = {"errors": _errors_by_row(issued.errors), "invoice": None, "type": None}
            else:
                self._outcome[key] = {"errors": {}, "invoice": issued.invoice, "type": RowResult.IMPORT_TYPE_NEW}


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
