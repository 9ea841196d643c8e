"""What the API says about sync: the attempts on an invoice, a re-sync request, a verify result."""
from rest_framework import serializers

from invoices.platform.models import SyncAttempt


class SyncAttemptSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, allow_null=True, read_only=True)

    class Meta:
        model = SyncAttempt
        fields = ["id", "operation", "started_at", "duration_ms", "outcome", "attempt_no", "error_code", "error",
                  "response", "actor"]
        read_only_fields = fields


class SyncRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    force = serializers.BooleanField(required=False, default=False)


class VerifyResultSerializer(serializers.Serializer):
    outcome = serializers.CharField()
    sync_status = serializers.CharField()
    detail = serializers.JSONField()
