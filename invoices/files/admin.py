"""Invoice files in the admin: the invoice page's 下载 PDF / OFD / XML, and the ZIP of many invoices' PDFs (while
the browser waits for a few hundred, by a task with a progress page beyond)."""
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from invoices.files.models import BatchStatus, FileFormat, InvoiceFileBatch
from invoices.files.paper import has_e_files, paper_original_message
from invoices.files.services.archive import zip_stream
from invoices.files.services.batch import MAX_INVOICES, PART_SIZE, invoice_file_batch_create
from invoices.files.services.fetch import InvoiceFileError, invoice_file_download
from invoices.files.views import file_response

READ = "invoices.view_invoice"


def _zip_name():
    return f"invoices-{timezone.localtime():%Y%m%d-%H%M%S}.zip"


class InvoiceFilesAdminMixin:
    """Mixed into the invoice admin (invoices/admin.py)."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:object_id>/file/<str:fmt>/", view(self.file_view), name="invoices_invoice_file"),
            path("file-batches/<int:batch_id>/", view(self.file_batch_view), name="invoices_invoice_file_batch"),
            path("file-batches/<int:batch_id>/archive/<int:part>/", view(self.file_batch_archive_view),
                 name="invoices_invoice_file_batch_archive"),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        invoice = (self.model.objects.filter(pk=object_id).only("kind", "code", "number").first()
                   if str(object_id).isdigit() else None)
        paper = invoice is not None and not has_e_files(invoice)
        extra_context = {**(extra_context or {}), "can_download_files": request.user.has_perm(READ),
                         "file_formats": [] if paper else FileFormat.choices,
                         "paper_original_note": paper_original_message(invoice) if paper else ""}
        return super().change_view(request, object_id, form_url, extra_context)

    def file_view(self, request, object_id, fmt):
        if not request.user.has_perm(READ):
            raise PermissionDenied
        if fmt not in FileFormat.values:
            raise Http404(gettext("Unknown file format."))
        invoice = get_object_or_404(self.get_queryset(request), pk=object_id)
        try:
            stored = invoice_file_download(invoice=invoice, fmt=fmt, actor=request.user, via="staff")
        except InvoiceFileError as exc:
            self.message_user(request, str(exc), messages.WARNING if exc.waiting else messages.ERROR)
            return redirect("admin:invoices_invoice_change", invoice.pk)
        return file_response(stored)

    @admin.action(description=_("Download PDFs of selected invoices (ZIP)"), permissions=["view"])
    def download_pdfs_zip(self, request, queryset):
        # One past the limit is enough to refuse a filter that selects too much.
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:MAX_INVOICES + 1])
        if len(ids) <= getattr(settings, "INVOICE_FILES_ZIP_INLINE_MAX", 200):
            invoices = queryset.model.objects.filter(pk__in=ids).order_by("pk")
            response = StreamingHttpResponse(zip_stream(invoices.iterator(chunk_size=200)),
                                             content_type="application/zip")
            response["Content-Disposition"] = f'attachment; filename="{_zip_name()}"'
            return response
        try:
            batch = invoice_file_batch_create(actor=request.user, invoice_ids=ids)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return None
        self.message_user(request, gettext("The ZIP of %(n)d invoices is being built.") % {"n": batch.total},
                          messages.INFO)
        return redirect("admin:invoices_invoice_file_batch", batch.pk)

    def _batch(self, request, batch_id):
        batch = get_object_or_404(InvoiceFileBatch, pk=batch_id)
        if batch.created_by_id != request.user.pk and not request.user.is_superuser:
            raise PermissionDenied
        return batch

    def file_batch_view(self, request, batch_id):
        batch = self._batch(request, batch_id)
        parts = [{"number": n, "first": (n - 1) * PART_SIZE + 1, "last": min(n * PART_SIZE, batch.total)}
                 for n in range(1, len(batch.parts) + 1)]
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "batch": batch, "parts": parts,
                   "title": gettext("ZIP of invoice PDFs"), "finished": batch.status in (BatchStatus.DONE,
                                                                                         BatchStatus.FAILED)}
        return TemplateResponse(request, "admin/invoices/invoice/file_batch.html", context)

    def file_batch_archive_view(self, request, batch_id, part):
        batch = self._batch(request, batch_id)
        if batch.status != BatchStatus.DONE or not 1 <= part <= len(batch.parts):
            raise Http404(gettext("The ZIP is not ready yet."))
        suffix = f"-{part}" if len(batch.parts) > 1 else ""
        return FileResponse(default_storage.open(batch.parts[part - 1], "rb"), as_attachment=True,
                            filename=f"invoices-{batch.pk}{suffix}.zip", content_type="application/zip")
