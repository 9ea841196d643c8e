from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from invoices.ledger.models import (
    ZeroRateFlag,
    Customer,
    Invoice,
    InvoiceEvent,
    InvoiceKind,
    InvoiceLine,
    Seller,
)


class CustomerSerializer(serializers.ModelSerializer):
    # What the create or update just accepted but the caller should look at again (a legacy or ID-card-shaped
    # 纳税人识别号), in the request's language; always empty when a customer is only read.
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = [
            "id", "name", "tax_id", "address", "phone", "bank_name", "bank_account",
            "contact_name", "email", "mobile", "created_at", "warnings",
        ]
        read_only_fields = ["id", "created_at", "warnings"]
        # Uniqueness and format are the service's rules; let it speak once, in one voice.
        extra_kwargs = {"tax_id": {"validators": []}, "email": {"validators": []}}

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_warnings(self, obj):
        return [str(w) for w in getattr(obj, "warnings", [])]


class InvoiceLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = [
            "line_no", "name", "tax_code", "spec", "unit", "quantity", "unit_price",
            "amount", "tax_rate", "zero_rate_flag", "tax_amount",
        ]


class InvoiceEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, allow_null=True, read_only=True)
    # What happened in the request's language; `message_code` and `params` are the fact it is rendered from.
    message = serializers.CharField(source="text", read_only=True)

    class Meta:
        model = InvoiceEvent
        fields = ["id", "kind", "at", "actor", "message", "message_code", "params", "data"]


class InvoiceListSerializer(serializers.ModelSerializer):
    seller_name = serializers.CharField(source="seller.name", read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id", "kind", "direction", "code", "number", "issued_at", "seller", "seller_name", "buyer",
            "buyer_name", "buyer_tax_id", "amount", "tax_amount", "total", "status", "sync_status",
            "original", "risk_level",  # 发票风险等级: the platform's export sets it (reconciliation), never the API
        ]
        read_only_fields = fields


class InvoiceDetailSerializer(InvoiceListSerializer):
    lines = InvoiceLineSerializer(many=True, read_only=True)
    corrections = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    events = InvoiceEventSerializer(many=True, read_only=True)  # newest first (invoice_detail_qs)

    class Meta(InvoiceListSerializer.Meta):
        fields = InvoiceListSerializer.Meta.fields + ["remarks", "drawer", "created_at", "lines", "corrections",
                                                      "events"]
        read_only_fields = fields


class LineInputSerializer(serializers.Serializer):
    """Shape only; the issue service owns every tax rule."""

    name = serializers.CharField(max_length=200, allow_blank=True)
    tax_code = serializers.CharField(max_length=19, required=False, allow_blank=True, default="")
    spec = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    unit = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    quantity = serializers.DecimalField(max_digits=28, decimal_places=13, required=False, allow_null=True)
    unit_price = serializers.DecimalField(max_digits=28, decimal_places=13, required=False, allow_null=True)
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=4)
    zero_rate_flag = serializers.ChoiceField(choices=ZeroRateFlag.choices, required=False, allow_blank=True, default="")
    tax_amount = serializers.DecimalField(max_digits=16, decimal_places=2, required=False, allow_null=True)


class InvoiceIssueSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=InvoiceKind.choices)
    seller = serializers.PrimaryKeyRelatedField(queryset=Seller.objects.all())
    buyer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    number = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    code = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    issued_at = serializers.DateTimeField(required=False)
    remarks = serializers.CharField(required=False, allow_blank=True, default="")
    drawer = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    lines = LineInputSerializer(many=True, allow_empty=False)

    default_error_messages = {"empty": _("An invoice needs at least one line.")}
