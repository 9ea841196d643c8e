"""Platform checks over the API: `POST /api/v1/platform-checks/` {seller (tax id), issued_from, issued_to} queues one
(finance: reconcile_invoices) → 202 {"id"}; `GET …/{id}/` reads its status, counts, incident and reason."""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from core.api_errors import Conflict
from core.parsers import DepthLimitedJSONParser
from core.permissions import ModelPermissions, require
from invoices.ledger.identifiers import normalize_text
from invoices.ledger.models import Seller
from invoices.reconciliation.models import PlatformCheck
from invoices.reconciliation.services.platform_check import CheckAlreadyActive, platform_check_start


class SellerTaxIdField(serializers.SlugRelatedField):
    """A seller by tax id, normalised as everywhere (full-width, spaces, invisible and control characters): a NUL
    byte never reaches the database, which refuses it with a server error on PostgreSQL."""

    def to_internal_value(self, data):
        return super().to_internal_value(normalize_text(data) if isinstance(data, str) else data)


class PlatformCheckStartSerializer(serializers.Serializer):
    seller = SellerTaxIdField(slug_field="tax_id", queryset=Seller.objects.all(), label=_("seller"),
                                          help_text=_("The seller's tax id."))
    issued_from = serializers.DateField(label=_("issued from"))
    issued_to = serializers.DateField(label=_("issued to"))


class PlatformCheckSerializer(serializers.ModelSerializer):
    seller = serializers.CharField(source="seller.tax_id", read_only=True)
    incident = serializers.CharField(source="incident_number", read_only=True)

    class Meta:
        model = PlatformCheck
        fields = ["id", "status", "seller", "issued_from", "issued_to", "counts", "incident", "error", "origin",
                  "created_at", "started_at", "finished_at"]
        read_only_fields = fields


class PlatformCheckViewSet(mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = PlatformCheck.objects.select_related("seller").order_by("-id")
    serializer_class = PlatformCheckSerializer
    parser_classes = [DepthLimitedJSONParser]

    def get_permissions(self):
        if self.action == "create":
            return [require("invoices.reconcile_invoices")()]
        return [ModelPermissions()]

    @extend_schema(request=PlatformCheckStartSerializer, responses={202: None})
    def create(self, request):
        body = PlatformCheckStartSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            check = platform_check_start(actor=request.user, **body.validated_data)
        except CheckAlreadyActive as exc:
            raise Conflict(exc.message_dict["issued_from"][0]) from None
        return Response({"id": check.pk}, status=status.HTTP_202_ACCEPTED)
