from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core.parsers import DepthLimitedJSONParser
from core.permissions import ModelPermissions, require
from invoices.reconciliation.models import Discrepancy, ReconciliationRun
from invoices.reconciliation.serializers import (
    DiscrepancySerializer,
    ReconciliationApplySerializer,
    ReconciliationRunSerializer,
    ReconciliationUploadSerializer,
)
from invoices.reconciliation.services.apply import reconciliation_apply, reconciliation_revert
from invoices.reconciliation.services.runs import reconciliation_start


class DiscrepancyPagination(CursorPagination):
    ordering = "id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class ReconciliationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Upload the platform's export (202 + run id; the comparison runs in the background), then read the
    run's status, counts and discrepancies."""

    queryset = ReconciliationRun.objects.select_related("created_by", "applied_by", "reverted_by").order_by("-id")
    serializer_class = ReconciliationRunSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_permissions(self):
        if self.action in ("create", "apply", "revert"):
            return [require("invoices.reconcile_invoices")()]
        # Reading needs what the admin needs (view_reconciliationrun): managers read runs too.
        return [ModelPermissions()]

    @extend_schema(request=ReconciliationUploadSerializer, responses={202: ReconciliationRunSerializer})
    def create(self, request):
        upload = ReconciliationUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        run = reconciliation_start(actor=request.user, **upload.validated_data)
        return Response(ReconciliationRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: DiscrepancySerializer(many=True)})
    @action(detail=True, methods=["get"])
    def discrepancies(self, request, pk=None):
        run = self.get_object()
        qs = Discrepancy.objects.filter(run=run).select_related("resolved_by")
        kind = request.query_params.get("kind")
        if kind:
            qs = qs.filter(kind=kind)
        paginator = DiscrepancyPagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(DiscrepancySerializer(page, many=True).data)

    @extend_schema(request=ReconciliationApplySerializer, responses={200: ReconciliationRunSerializer})
    @action(detail=True, methods=["post"], parser_classes=[DepthLimitedJSONParser, FormParser, MultiPartParser])
    def apply(self, request, pk=None):
        """Set the sync statuses the run proposes (finance). A run flagged as probably the wrong file needs
        confirm_wrong_file and a reason."""
        run = self.get_object()
        body = ReconciliationApplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        reconciliation_apply(run=run, actor=request.user, **body.validated_data)
        run.refresh_from_db()
        return Response(ReconciliationRunSerializer(run).data)

    @extend_schema(request=None, responses={200: ReconciliationRunSerializer})
    @action(detail=True, methods=["post"], parser_classes=[DepthLimitedJSONParser, FormParser, MultiPartParser])
    def revert(self, request, pk=None):
        """Undo an applied run as a whole, refused (400, naming them) if any of its invoices changed since."""
        run = self.get_object()
        reconciliation_revert(run=run, actor=request.user)
        run.refresh_from_db()
        return Response(ReconciliationRunSerializer(run).data)
