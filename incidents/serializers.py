from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from rest_framework import serializers

from core.api_fields import CodeRelatedField
from core.filters import sane_moment
from invoices.ledger.models import Customer, Invoice, Seller

from .models import (
    Channel,
    Communication,
    CommunicationDirection,
    CommunicationTemplate,
    FollowUp,
    FollowUpPriority,
    Incident,
    IncidentCategory,
    IncidentEvent,
    IncidentKind,
    IncidentStatus,
    IncidentStep,
    RootCauseCategory,
    SatisfactionAnswer,
    Severity,
    Team,
)

User = get_user_model()


class IncidentStepSerializer(serializers.ModelSerializer):
    done_by = serializers.CharField(source="done_by.username", default=None, allow_null=True, read_only=True)

    class Meta:
        model = IncidentStep
        fields = ["id", "position", "title", "help_text", "done_at", "done_by", "skip_reason"]


class IncidentSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username", default=None, allow_null=True, read_only=True)
    owner_name = serializers.SerializerMethodField()
    duplicate_of = serializers.CharField(source="duplicate_of.reference", default=None, allow_null=True,
                                         read_only=True)
    customer_name = serializers.CharField(source="customer.name", default=None, allow_null=True, read_only=True)
    response_breached = serializers.SerializerMethodField()
    resolve_breached = serializers.SerializerMethodField()
    root_cause_category = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Incident
        fields = ["id", "reference", "title", "description", "kind", "category", "severity", "status", "customer",
                  "customer_name", "seller", "team", "owner", "fault_started_at", "detected_at", "platform_recovered_at",
                  "customer_informed_at", "first_response_at", "resolved_at", "closed_at", "root_cause_category", "root_cause",
                  "resolution", "response_due_at", "resolve_due_at", "response_breached", "resolve_breached", "reviewed_at",
                  "created_at", "owner_name", "duplicate_of"]
        read_only_fields = fields

    def get_owner_name(self, obj) -> str:
        """The owner as colleagues know them (full name), the login only when no name is recorded."""
        return (obj.owner.get_full_name() or obj.owner.get_username()) if obj.owner_id else ""

    def get_response_breached(self, obj) -> bool:
        return obj.response_breached()

    def get_resolve_breached(self, obj) -> bool:
        return obj.resolve_breached()


class SatisfactionSerializer(serializers.ModelSerializer):
    incident_reference = serializers.CharField(source="incident.reference", read_only=True)
    team = serializers.CharField(source="incident.team.name", default=None, allow_null=True, read_only=True)
    category = serializers.CharField(source="incident.category", read_only=True)

    class Meta:
        model = SatisfactionAnswer
        fields = ["incident", "incident_reference", "team", "category", "rating", "solved", "comment", "answered_at"]
        read_only_fields = fields


class IncidentDetailSerializer(IncidentSerializer):
    invoices = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    steps = IncidentStepSerializer(many=True, read_only=True)
    satisfaction = serializers.SerializerMethodField()

    class Meta(IncidentSerializer.Meta):
        fields = IncidentSerializer.Meta.fields + ["opened_via", "invoices", "steps", "satisfaction"]
        read_only_fields = fields

    def get_satisfaction(self, obj) -> dict | None:
        answer = getattr(obj, "satisfaction", None)
        if answer is None:
            return None
        return {"rating": answer.rating, "solved": answer.solved, "comment": answer.comment,
                "answered_at": serializers.DateTimeField().to_representation(answer.answered_at)}


class IncidentWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(IncidentKind.choices, default=IncidentKind.COMPLAINT)
    category = serializers.ChoiceField(IncidentCategory.choices)
    severity = serializers.ChoiceField(Severity.choices, default=Severity.SEV3)
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False, allow_null=True)
    seller = serializers.PrimaryKeyRelatedField(queryset=Seller.objects.all(), required=False, allow_null=True)
    invoices = serializers.PrimaryKeyRelatedField(queryset=Invoice.objects.all(), many=True, required=False)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_staff=True), required=False,
                                               allow_null=True)
    fault_started_at = serializers.DateTimeField(required=False, allow_null=True)
    detected_at = serializers.DateTimeField(required=False, allow_null=True)


class IncidentUpdateSerializer(IncidentWriteSerializer):
    """PATCH: any detail except the status, which moves only through the transition and review actions."""

    platform_recovered_at = serializers.DateTimeField(required=False, allow_null=True)
    customer_informed_at = serializers.DateTimeField(required=False, allow_null=True)
    root_cause_category = CodeRelatedField(
        slug_field="code", queryset=RootCauseCategory.objects.filter(active=True), required=False, allow_null=True)
    root_cause = serializers.CharField(required=False, allow_blank=True)
    resolution = serializers.CharField(required=False, allow_blank=True)

    def get_fields(self):
        fields = super().get_fields()
        fields.pop("invoices")
        for field in fields.values():
            field.required = False
            field.default = serializers.empty
        return fields


class TransitionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(IncidentStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    root_cause_category = CodeRelatedField(
        slug_field="code", queryset=RootCauseCategory.objects.filter(active=True), required=False, default=None,
        help_text="Code of an active root-cause category; required to resolve.")
    root_cause = serializers.CharField(required=False, allow_blank=True, default=None)
    resolution = serializers.CharField(required=False, allow_blank=True, default=None)


class ReviewSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class MergeSerializer(serializers.Serializer):
    """合并: `into` is the incident that carries on, by reference (INC-…) or id."""
    into = serializers.CharField(max_length=20)
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def validate_into(self, value):
        value = value.strip()
        found = Incident.objects.filter(**({"pk": int(value)} if value.isdigit() else {"reference": value.upper()}))
        incident = found.first()
        if incident is None:
            raise serializers.ValidationError(_("No incident has the reference %(ref)s.") % {"ref": value})
        return incident


class NotifySerializer(serializers.Serializer):
    template = serializers.PrimaryKeyRelatedField(queryset=CommunicationTemplate.objects.filter(active=True))


class IncidentEventSerializer(serializers.ModelSerializer):
    """Written with a note's `message`; read with `message` as the event's text in the request's language, and
    `message_code` and `params`, the fact it is rendered from (empty for notes and older rows)."""
    actor = serializers.CharField(source="actor.username", default=None, allow_null=True, read_only=True)

    class Meta:
        model = IncidentEvent
        fields = ["id", "kind", "at", "recorded_at", "actor", "message", "message_code", "params", "data"]
        read_only_fields = ["id", "kind", "recorded_at", "actor", "message_code", "params", "data"]
        extra_kwargs = {"at": {"required": False, "validators": [sane_moment]},
                        "message": {"required": True, "allow_blank": False}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["message"] = instance.text
        return data


class CommunicationSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.username", default=None, allow_null=True, read_only=True)

    class Meta:
        model = Communication
        fields = ["id", "customer", "incident", "invoice", "channel", "direction", "occurred_at", "contact", "subject",
                  "body", "template", "callback_at", "delivery_status", "delivery_attempts", "delivery_error",
                  "sent_at", "created_by", "created_at"]
        read_only_fields = fields


class CommunicationCreateSerializer(serializers.Serializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    incident = serializers.PrimaryKeyRelatedField(queryset=Incident.objects.all(), required=False, allow_null=True)
    invoice = serializers.PrimaryKeyRelatedField(queryset=Invoice.objects.all(), required=False, allow_null=True)
    channel = serializers.ChoiceField(Channel.choices)
    direction = serializers.ChoiceField(CommunicationDirection.choices)
    occurred_at = serializers.DateTimeField(required=False, allow_null=True)
    # The columns' lengths, counted after trimming; the service counts again on what it stores.
    contact = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    subject = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    body = serializers.CharField(required=False, allow_blank=True, default="")
    template = serializers.PrimaryKeyRelatedField(queryset=CommunicationTemplate.objects.all(), required=False,
                                                  allow_null=True)
    callback_at = serializers.DateTimeField(required=False, allow_null=True)
    send = serializers.BooleanField(default=False, help_text="Send an outbound email now (channel=email only).")


class FollowUpSerializer(serializers.ModelSerializer):
    assignee_name = serializers.CharField(source="assignee.username", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = ["id", "incident", "customer", "team", "title", "notes", "assignee", "assignee_name", "assigned_by",
                  "due_at", "priority", "status", "overdue", "completed_at", "reminder_sent_at", "escalated_at",
                  "created_at"]
        read_only_fields = fields

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue()


class FollowUpCreateSerializer(serializers.Serializer):
    incident = serializers.PrimaryKeyRelatedField(queryset=Incident.objects.all(), required=False, allow_null=True)
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False, allow_null=True)
    title = serializers.CharField(max_length=200)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    assignee = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False,
                                                  allow_null=True)
    due_at = serializers.DateTimeField()
    priority = serializers.ChoiceField(FollowUpPriority.choices, default=FollowUpPriority.NORMAL)


class CompleteSerializer(serializers.Serializer):
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class AssignSerializer(serializers.Serializer):
    assignee = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
