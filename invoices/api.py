from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from backoffice.permissions import require

from .filters import InvoiceFilter
from .models import Customer, SyncAttempt
from .selectors import invoice_detail_qs, invoice_list
from .serializers import (
    CustomerSerializer,
    InvoiceDetailSerializer,
    InvoiceIssueSerializer,
    InvoiceListSerializer,
    SyncAttemptSerializer,
    SyncRequestSerializer,
    VerifyResultSerializer,
)
from .services import (
    customer_create,
    customer_update,
    invoice_issue,
    invoice_sync_request,
    invoice_verify,
)


class InvoiceCursorPagination(CursorPagination):
    # The id orders like issue time for the ledger, and unlike issued_at it never ties.
    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class CustomerViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Customer.objects.order_by("id")
    serializer_class = CustomerSerializer
    search_fields = ["name", "tax_id"]
    filterset_fields = ["tax_id"]

    def perform_create(self, serializer):
        serializer.instance = customer_create(actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = customer_update(
            customer=serializer.instance, actor=self.request.user, **serializer.validated_data
        )


class InvoiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The ledger. Creating an invoice issues it through the issue service."""

    filterset_class = InvoiceFilter
    pagination_class = InvoiceCursorPagination

    def get_queryset(self):
        if self.action == "retrieve":
            return invoice_detail_qs()
        return invoice_list()

    def get_serializer_class(self):
        if self.action == "retrieve":
            return InvoiceDetailSerializer
        if self.action == "create":
            return InvoiceIssueSerializer
        return InvoiceListSerializer

    @extend_schema(request=InvoiceIssueSerializer, responses={201: InvoiceDetailSerializer})
    def create(self, request):
        serializer = InvoiceIssueSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        invoice = invoice_issue(actor=request.user, **data)
        invoice = invoice_detail_qs().get(pk=invoice.pk)
        return Response(InvoiceDetailSerializer(invoice).data, status=status.HTTP_201_CREATED)

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
