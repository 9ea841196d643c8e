"""Reissue requests over the API: the same services and permissions as the admin."""
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.permissions import require
from invoices.ledger.models import Customer, Invoice
from invoices.ledger.serializers import LineInputSerializer
from invoices.reissue.models import RedFlushReason, ReissueRequest, ReissueScope
from invoices.reissue.services.reissue import (
    invoice_reissue_approve,
    invoice_reissue_reject,
    invoice_reissue_request,
    invoice_reissue_retry,
)


class RedLineSerializer(serializers.Serializer):
    line_no = serializers.IntegerField(min_value=1)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    quantity = serializers.DecimalField(max_digits=28, decimal_places=13, required=False, allow_null=True)


class ReissueCreateSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=RedFlushReason.choices)
    scope = serializers.ChoiceField(choices=ReissueScope.choices, default=ReissueScope.FULL)
    red_lines = RedLineSerializer(many=True, required=False, default=list)
    issue_new = serializers.BooleanField(default=True)
    new_buyer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False, allow_null=True)
    new_buyer_name = serializers.CharField(required=False, allow_blank=True, default="")
    new_buyer_tax_id = serializers.CharField(required=False, allow_blank=True, default="")
    new_lines = LineInputSerializer(many=True, required=False, default=list)
    new_remarks = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReissueRequestSerializer(serializers.ModelSerializer):
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    approved_by = serializers.CharField(source="approved_by.username", default=None, allow_null=True, read_only=True)
    original_number = serializers.CharField(source="original.number", read_only=True)
    red_letter_form = serializers.CharField(source="red_letter_form.number", default=None, allow_null=True, read_only=True)
    red_letter_form_status = serializers.CharField(source="red_letter_form.status", default=None, allow_null=True, read_only=True)
    red_invoice_number = serializers.CharField(source="red_invoice.number", default=None, allow_null=True, read_only=True)
    new_invoice_number = serializers.CharField(source="new_invoice.number", default=None, allow_null=True, read_only=True)

    class Meta:
        model = ReissueRequest
        fields = [
            "id", "original", "original_number", "reason", "scope", "red_lines", "issue_new", "new_buyer",
            "new_buyer_name", "new_buyer_tax_id", "new_lines", "new_remarks", "note",
            "origin_ref", "status", "step", "failure", "requested_by", "requested_at", "approved_by", "approved_at",
            "decided_reason", "completed_at", "red_letter_form", "red_letter_form_status", "red_invoice",
            "red_invoice_number", "new_invoice", "new_invoice_number",
        ]
        read_only_fields = fields


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class InvoiceReissueRequestCreate(APIView):
    permission_classes = [require("invoices.reissue_invoice")]

    @extend_schema(request=ReissueCreateSerializer, responses={201: ReissueRequestSerializer})
    def post(self, request, pk):
        invoice = get_object_or_404(Invoice, pk=pk)
        data = ReissueCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = invoice_reissue_request(invoice=invoice, actor=request.user, **data.validated_data)
        return Response(ReissueRequestSerializer(created).data, status=status.HTTP_201_CREATED)


class ReissueRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = ReissueRequest.objects.select_related(
        "original", "requested_by", "approved_by", "red_letter_form", "red_invoice", "new_invoice"
    ).order_by("-id")
    serializer_class = ReissueRequestSerializer
    filterset_fields = ["status", "reason", "original"]

    def _answer(self, req):
        req = self.get_queryset().get(pk=req.pk)
        return Response(ReissueRequestSerializer(req).data)

    @extend_schema(request=None, responses=ReissueRequestSerializer)
    @action(detail=True, methods=["post"], permission_classes=[require("invoices.approve_reissue")])
    def approve(self, request, pk=None):
        req = self.get_object()  # a malformed id is a 404 (DRF catches ValueError), not a 500
        return self._answer(invoice_reissue_approve(request=req, actor=request.user))

    @extend_schema(request=RejectSerializer, responses=ReissueRequestSerializer)
    @action(detail=True, methods=["post"], permission_classes=[require("invoices.approve_reissue")])
    def reject(self, request, pk=None):
        req = self.get_object()  # a malformed id is a 404 (DRF catches ValueError), not a 500
        body = RejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(invoice_reissue_reject(request=req, actor=request.user, reason=body.validated_data["reason"]))

    @extend_schema(request=None, responses=ReissueRequestSerializer)
    @action(detail=True, methods=["post"], permission_classes=[require("invoices.approve_reissue")])
    def retry(self, request, pk=None):
        req = self.get_object()  # a malformed id is a 404 (DRF catches ValueError), not a 500
        return self._answer(invoice_reissue_retry(request=req, actor=request.user))
