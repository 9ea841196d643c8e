"""Reissue requests and red-letter forms over the API: the same services and permissions as the admin."""
from typing import Optional

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_errors import Conflict
from core.permissions import ModelPermissions, require
from invoices.ledger.models import Customer, Invoice
from invoices.ledger.serializers import LineInputSerializer
from invoices.platform.api_errors import PLATFORM_ERROR_RESPONSES, PlatformErrorAnswers
from invoices.reissue.filters import RedLetterFormFilter
from invoices.reissue.models import RedFlushReason, RedLetterForm, ReissueRequest, ReissueScope
from invoices.reissue.services.buyer_forms import buyer_form_agree, buyer_form_propose, buyer_form_send_back
from invoices.reissue.services.redletter import red_letter_form_check
from invoices.reissue.services.reissue import (
    invoice_reissue_approve,
    invoice_reissue_cancel,
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
    red_letter_form_status_label = serializers.SerializerMethodField()
    red_letter_form_lapses_at = serializers.DateTimeField(
        source="red_letter_form.lapses_at", default=None, allow_null=True, read_only=True)
    red_invoice_number = serializers.CharField(source="red_invoice.number", default=None, allow_null=True, read_only=True)
    new_invoice_number = serializers.CharField(source="new_invoice.number", default=None, allow_null=True, read_only=True)

    class Meta:
        model = ReissueRequest
        fields = [
            "id", "original", "original_number", "reason", "scope", "red_lines", "issue_new", "new_buyer",
            "new_buyer_name", "new_buyer_tax_id", "new_lines", "new_remarks", "note",
            "origin_ref", "status", "step", "failure", "requested_by", "requested_at", "approved_by", "approved_at",
            "decided_reason", "completed_at", "red_letter_form", "red_letter_form_status",
            "red_letter_form_status_label", "red_letter_form_lapses_at", "red_invoice", "red_invoice_number",
            "new_invoice", "new_invoice_number",
        ]
        read_only_fields = fields

    def get_red_letter_form_status_label(self, obj) -> Optional[str]:
        form = obj.red_letter_form
        return str(form.get_status_display()) if form else None


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class InvoiceReissueRequestCreate(APIView):
    permission_classes = [require("invoices.reissue_invoice")]

    @extend_schema(request=ReissueCreateSerializer, responses={201: ReissueRequestSerializer})
    def post(self, request, pk):
        invoice = get_object_or_404(Invoice, pk=pk)
        data = ReissueCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        created = invoice_reissue_request(invoice=invoice, actor=request.user, **data.validated_data)
        return Response(ReissueRequestSerializer(created).data, status=status.HTTP_201_CREATED)


class ReissueRequestViewSet(
    PlatformErrorAnswers, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
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

    @extend_schema(request=CancelSerializer, responses={200: ReissueRequestSerializer, **PLATFORM_ERROR_RESPONSES})
    @action(detail=True, methods=["post"], permission_classes=[require("invoices.reissue_invoice")])
    def cancel(self, request, pk=None):
        """Cancel a request awaiting approval; one whose red-letter form waits for the buyer (02) has its form
        withdrawn on the tax platform first (08)."""
        req = self.get_object()
        body = CancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._answer(invoice_reissue_cancel(request=req, actor=request.user, **body.validated_data))

    @extend_schema(request=None, responses={200: ReissueRequestSerializer, **PLATFORM_ERROR_RESPONSES})
    @action(detail=True, methods=["post"], url_path="check-form",
            permission_classes=[require("invoices.reissue_invoice")])
    def check_form(self, request, pk=None):
        """Read the request's red-letter form status from the tax platform now (04 goes on to the red invoice)."""
        req = self.get_object()
        if req.red_letter_form is None:
            raise Conflict(_("The reissue request for invoice %(n)s has no red-letter form yet; a form is submitted "
                             "to the tax platform once the request is approved.") % {"n": req.original})
        red_letter_form_check(form=req.red_letter_form, actor=request.user)
        return self._answer(req)


class RedLetterFormSerializer(serializers.ModelSerializer):
    original_number = serializers.CharField(source="original.number", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    proposed_by = serializers.CharField(source="proposed_by.username", default=None, allow_null=True, read_only=True)
    answered_by = serializers.CharField(source="answered_by.username", default=None, allow_null=True, read_only=True)
    reissue_request = serializers.IntegerField(source="request.id", default=None, allow_null=True, read_only=True)

    class Meta:
        model = RedLetterForm
        fields = [
            "id", "number", "original", "original_number", "reason", "status", "status_label", "entered_by",
            "amount", "tax_amount", "created_at", "lapses_at", "confirmed_at", "proposal", "proposal_issue_new",
            "proposal_note", "proposed_by", "answered_by", "reissue_request",
        ]
        read_only_fields = fields


class ProposalSerializer(serializers.Serializer):
    accept = serializers.BooleanField(help_text="true: confirm the buyer's form; false: deny it (say why in note)")
    issue_new = serializers.BooleanField(
        default=False, help_text="the buyer asks for a new invoice after the red one (always so for reason 01)")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class RedLetterFormViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The back office's copies of the platform's red-letter forms, and finance's answers to the forms the buyer
    entered (03): one person proposes, another agrees or sends it back, as in the admin."""

    queryset = RedLetterForm.objects.select_related("original", "proposed_by", "answered_by", "request").order_by("-id")
    serializer_class = RedLetterFormSerializer
    permission_classes = [ModelPermissions]
    filterset_class = RedLetterFormFilter

    def _answer(self, form):
        return Response(RedLetterFormSerializer(self.get_queryset().get(pk=form.pk)).data)

    @extend_schema(request=ProposalSerializer, responses=RedLetterFormSerializer)
    @action(detail=True, methods=["post"], permission_classes=[require("invoices.reissue_invoice")])
    def propose(self, request, pk=None):
        """Propose to confirm or deny the buyer's form; nothing reaches the platform until a colleague agrees."""
        form = self.get_object()
        body = ProposalSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            buyer_form_propose(form=form, actor=request.user, **body.validated_data)
        except ValidationError as exc:
            # The service names the model's field; the caller sent it as `note`.
            if hasattr(exc, "error_dict") and "proposal_note" in exc.error_dict:
                raise ValidationError({"note": exc.error_dict.pop("proposal_note"), **exc.error_dict}) from None
            raise
        return self._answer(form)

    @extend_schema(request=None, responses=RedLetterFormSerializer)
    @action(detail=True, methods=["post"], permission_classes=[require("invoices.reissue_invoice")])
    def agree(self, request, pk=None):
        """Agree with a colleague's proposal: a confirmation becomes an approved reissue request (reissue_request)
        that confirms the form on the platform and goes on to the red invoice; a denial is sent to the platform."""
        return self._answer(buyer_form_agree(form=self.get_object(), actor=request.user))

    @extend_schema(request=None, responses=RedLetterFormSerializer)
    @action(detail=True, methods=["post"], url_path="send-back",
            permission_classes=[require("invoices.reissue_invoice")])
    def send_back(self, request, pk=None):
        """Disagree with a colleague's proposal: it is cleared and the form is back in the queue to answer."""
        return self._answer(buyer_form_send_back(form=self.get_object(), actor=request.user))
