from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from invoices.ledger.models import Seller
from invoices.reconciliation.models import Discrepancy, ReconciliationRun


class ReconciliationUploadSerializer(serializers.Serializer):
    """Shape only; the service checks the file's header and the period."""

    file = serializers.FileField(label=_("export file"))
    seller = serializers.PrimaryKeyRelatedField(queryset=Seller.objects.all(), label=_("seller"))
    period_start = serializers.DateField(label=_("period start"))
    period_end = serializers.DateField(label=_("period end"))
    exported_at = serializers.DateTimeField(
        label=_("export time (导出时间)"), required=False,
        help_text=_("When the platform produced the file; default now. Invoices the platform confirmed later keep "
                    "their state."))


class ReconciliationApplySerializer(serializers.Serializer):
    confirm_wrong_file = serializers.BooleanField(
        label=_("apply although it is probably the wrong file"), required=False, default=False)
    reason = serializers.CharField(label=_("reason"), required=False, allow_blank=True, default="", max_length=500)


class ReconciliationRunSerializer(serializers.ModelSerializer):
    counts = serializers.SerializerMethodField()
    run_by = serializers.CharField(source="created_by.username", default=None, allow_null=True, read_only=True)
    applied_by = serializers.CharField(source="applied_by.username", default=None, allow_null=True, read_only=True)
    reverted_by = serializers.CharField(source="reverted_by.username", default=None, allow_null=True, read_only=True)

    class Meta:
        model = ReconciliationRun
        fields = ["id", "seller", "period_start", "period_end", "file_name", "file_format", "status", "error",
                  "rows_read", "rows_matched", "ledger_invoices", "counts", "run_by", "created_at", "started_at",
                  "finished_at", "exported_at", "proposal", "wrong_file", "applied_at", "applied_by",
                  "apply_reason", "reverted_at", "reverted_by"]
        read_only_fields = fields

    def get_counts(self, obj) -> dict:
        return obj.counts()


class DiscrepancySerializer(serializers.ModelSerializer):
    resolved_by = serializers.CharField(source="resolved_by.username", default=None, allow_null=True, read_only=True)

    class Meta:
        model = Discrepancy
        fields = ["id", "kind", "invoice", "row_no", "number", "detail", "platform_data", "resolution",
                  "resolution_note", "resolved_by", "resolved_at"]
        read_only_fields = fields
