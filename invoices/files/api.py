"""The invoice's file over the API: GET /api/v1/invoices/{id}/file/?format=pdf|ofd|xml, for whoever may read the
invoice (view_invoice, the same as the invoice page's download buttons)."""
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core.permissions import require
from invoices.files.models import FileFormat
from invoices.files.services.fetch import InvoiceFileError, invoice_file_download
from invoices.files.views import file_response


class InvoiceFileActionsMixin:
    """Mixed into the invoice viewset (invoices/api.py)."""

    def perform_content_negotiation(self, request, force=False):
        # DRF reads ?format= as the renderer to use; here it names the invoice file, and errors answer in JSON.
        if getattr(self, "action", None) == "file":
            return JSONRenderer(), JSONRenderer.media_type
        return super().perform_content_negotiation(request, force)

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=FileFormat.values, default="pdf",
                                     description="pdf, ofd or xml")],
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "application/ofd"): OpenApiTypes.BINARY,
            (200, "application/xml"): OpenApiTypes.BINARY,
            400: OpenApiResponse(description="format is not pdf, ofd or xml"),
            404: OpenApiResponse(description="no such invoice, or the platform has none"),
            503: OpenApiResponse(description="the platform cannot supply the file now; try again later"),
        },
    )
    @action(detail=True, methods=["get"], url_path="file", permission_classes=[require("invoices.view_invoice")])
    def file(self, request, pk=None):
        """The invoice's file as the tax platform issued it (kept after the first download); logged on the invoice."""
        fmt = request.query_params.get("format", FileFormat.PDF)
        if fmt not in FileFormat.values:
            message = _("'%(v)s' is not a file format; use one of %(choices)s.") % {
                "v": fmt[:20], "choices": ", ".join(FileFormat.values)}
            return Response({"format": [message]},
                            status=status.HTTP_400_BAD_REQUEST)
        invoice = self.get_object()
        try:
            stored = invoice_file_download(invoice=invoice, fmt=fmt, actor=request.user, via="api")
        except InvoiceFileError as exc:
            answer = status.HTTP_503_SERVICE_UNAVAILABLE if exc.waiting else status.HTTP_404_NOT_FOUND
            return Response({"detail": str(exc)}, status=answer)
        return file_response(stored)
