from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from invoices.ledger.filters import InvoiceFilter
from invoices.ledger.models import Customer
from invoices.ledger.selectors import invoice_detail_qs, invoice_list
from invoices.ledger.serializers import (
    CustomerSerializer,
    InvoiceDetailSerializer,
    InvoiceIssueSerializer,
    InvoiceListSerializer,
)
from invoices.ledger.services.customers import customer_create, customer_update
from invoices.ledger.services.issue import invoice_issue


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


class InvoiceLedgerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The ledger. Creating an invoice issues it through the issue service. invoices/api.py serves it with the
    platform's actions mixed in."""

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
