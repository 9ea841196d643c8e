"""The platform's actions on an invoice over the API: re-sync, verify, and the attempts made."""
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.permissions import require
from invoices.ledger.selectors import invoice_list
from invoices.ledger.serializers import InvoiceListSerializer
from invoices.platform.models import SyncAttempt
from invoices.platform.serializers import (
    SyncAttemptSerializer,
    SyncRequestSerializer,
    VerifyResultSerializer,
)
from invoices.platform.services.sync import invoice_sync_request, invoice_verify


class InvoiceSyncActionsMixin:
    """Mixed into the invoice viewset (invoices/api.py)."""

    @extend_schema(request=SyncRequestSerializer, responses={202: InvoiceListSerializer})
    @action(detail=True, methods=["post"], permission_classes=[require("invoices.sync_invoice")])
    def sync(self, request, pk=None):
        """Queue an upload to the tax platform. `force` re-sends an invoice already synced or mismatching."""
        invoice = self.get_object()
        body = SyncRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        invoice = invoice_sync_request(invoice_id=invoice.pk, actor=request.user, **body.validated_data)
        invoice = invoice_list().get(pk=invoice.pk)
        return Response(InvoiceListSerializer(invoice).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: VerifyResultSerializer, 503: VerifyResultSerializer})
    @action(detail=True, methods=["post"], permission_classes=[require("invoices.verify_invoice")])
    def verify(self, request, pk=None):
        """Ask the platform now; 200 with outcome synced/missing/mismatch, 503 if it could not be asked."""
        invoice = self.get_object()
        result = invoice_verify(invoice_id=invoice.pk, actor=request.user)
        answer = status.HTTP_503_SERVICE_UNAVAILABLE if result.outcome == "unavailable" else status.HTTP_200_OK
        body = {"outcome": result.outcome, "sync_status": result.sync_status, "detail": result.detail}
        return Response(body, status=answer)

    @extend_schema(responses={200: SyncAttemptSerializer(many=True)})
    @action(detail=True, methods=["get"], url_path="sync-attempts",
            permission_classes=[require("invoices.view_invoice")])
    def sync_attempts(self, request, pk=None):
        """Every upload and verify attempt for this invoice, newest first."""
        invoice = self.get_object()
        attempts = SyncAttempt.objects.filter(invoice=invoice).select_related("actor").order_by("-id")
        page = self.paginate_queryset(attempts)
        return self.get_paginated_response(SyncAttemptSerializer(page, many=True).data)
