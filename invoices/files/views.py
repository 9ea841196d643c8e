"""The customer's download link (no login): the file, or a page in Chinese that sends them to the portal."""
from django.http import FileResponse, Http404
from django.template.response import TemplateResponse
from django.utils import translation
from django.views.decorators.http import require_GET

from invoices.files.links import invoice_from_file_token
from invoices.files.services.fetch import InvoiceFileError, InvoicePaperOriginal, invoice_file_download


def file_response(stored):
    stored.file.open("rb")
    return FileResponse(stored.file, as_attachment=True, filename=stored.filename,
                        content_type=stored.content_type)


def _page(request, template, status, **context):
    # The customer may not read English and has no account to choose a language with: this desk writes Chinese.
    with translation.override("zh-hans"):
        response = TemplateResponse(request, template, {"portal_url": "/portal/", **context}, status=status)
        response.render()
    return response


@require_GET
def invoice_file_link(request, token):
    fmt = request.GET.get("format", "pdf")
    try:
        invoice = invoice_from_file_token(token, fmt)
    except Http404:
        return _page(request, "invoices/files/link_invalid.html", 404)
    try:
        stored = invoice_file_download(invoice=invoice, fmt=fmt, actor=None, via="link")
    except InvoiceFileError as exc:
        return _page(request, "invoices/files/link_waiting.html", 503 if exc.waiting else 404,
                     number=invoice.number, waiting=exc.waiting, paper=isinstance(exc, InvoicePaperOriginal))
    return file_response(stored)
