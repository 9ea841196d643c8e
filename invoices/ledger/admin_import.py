"""Import/export on the ledger's admin lists: who may import is a permission per model, export needs only
what viewing the list needs (and exports exactly the filtered list), and every import is all-or-nothing."""
from django.core.exceptions import ValidationError
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.forms import ImportForm

from core.upload_limits import check_upload
from invoices.ledger.imports.admin import BackgroundImportMixin
from invoices.ledger.resource_headers import TranslatedExportForm


class BoundedImportForm(ImportForm):
    """The upload limits (core/upload_limits.py) before tablib reads the file: a bomb is a form error."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            check_upload(upload, field="import_file")
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["import_file"]) from None
        return upload


class ServiceImportExportMixin(BackgroundImportMixin, ImportExportMixin):
    formats = [CSV, XLSX]
    import_form_class = BoundedImportForm
    export_form_class = TranslatedExportForm
    import_permission = None  # "app.codename", set per admin

    def has_import_permission(self, request):
        return bool(self.import_permission) and request.user.has_perm(self.import_permission)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_import_data_kwargs(self, **kwargs):
        data = super().get_import_data_kwargs(**kwargs)
        # One invalid row rolls back the whole file, even on the confirming pass.
        data["rollback_on_validation_errors"] = True
        data["use_transactions"] = True
        return data
