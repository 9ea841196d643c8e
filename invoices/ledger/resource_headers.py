"""Export headers and the export field chooser in the user's language. A file exported in Chinese can be imported
again: its translated headers are read back as the column names the resources use."""
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override
from import_export.forms import SelectableFieldsExportForm

from invoices.ledger.models import Invoice, InvoiceLine

# Columns of the invoice file that are not a field of the resource's model by that name.
INVOICE_FILE_LABELS = {
    "seller_tax_id": _("seller tax id"),
    "line_no": InvoiceLine._meta.get_field("line_no").verbose_name,
    "line_name": InvoiceLine._meta.get_field("name").verbose_name,
    "line_amount": InvoiceLine._meta.get_field("amount").verbose_name,
    "line_tax_amount": InvoiceLine._meta.get_field("tax_amount").verbose_name,
    **{name: InvoiceLine._meta.get_field(name).verbose_name
       for name in ("tax_code", "spec", "unit", "quantity", "unit_price", "tax_rate", "zero_rate_flag")},
    **{name: Invoice._meta.get_field(name).verbose_name
       for name in ("code", "number", "kind", "buyer_tax_id", "buyer_name", "issued_at", "drawer", "remarks")},
}


class TranslatedHeadersMixin:
    """Resource mixin: `header_label(column)` is the column's name for people (the model field's verbose name,
    or `header_labels`); exports write it, imports read it back."""

    header_labels = {}

    def header_label(self, column):
        if column in self.header_labels:
            return str(self.header_labels[column])
        field = self.fields.get(column)
        attribute = (getattr(field, "attribute", None) or column).split("__")[0]
        try:
            return str(self._meta.model._meta.get_field(attribute).verbose_name)
        except FieldDoesNotExist:
            return column

    def get_export_headers(self, selected_fields=None):
        return [self.header_label(field.column_name) for field in self.get_export_fields(selected_fields) if field]

    def get_diff_headers(self):
        return [self.header_label(field.column_name) for field in self.get_import_fields()]

    def column_for_header(self):
        """Every language's label -> column name, to read back a file exported in any language."""
        columns = [*self.fields, *self.header_labels]
        mapping = {}
        for language in ("zh-hans", "en"):
            with override(language):
                mapping.update({self.header_label(column): column for column in columns})
        return mapping

    def import_data(self, dataset, *args, **kwargs):
        if dataset.headers:
            mapping = self.column_for_header()
            dataset.headers = [mapping.get(str(h).strip(), h) if h is not None else h for h in dataset.headers]
        return super().import_data(dataset, *args, **kwargs)


class TranslatedExportForm(SelectableFieldsExportForm):
    """The export field chooser names fields as the headers do, not as `Tax Id (tax_id)`."""

    def _get_field_label(self, resource, field_name):
        instance = resource()
        if hasattr(instance, "header_label"):
            column = getattr(instance.fields.get(field_name), "column_name", field_name)
            return instance.header_label(column)
        return super()._get_field_label(resource, field_name)
