"""Export formats of the incident lists (ExportMixin on their admins; exports follow the list's filters).
Nothing is imported: incidents and follow-ups are created only through the services."""
from import_export import fields, resources

from core.export_safety import SafeExportResource
from invoices.ledger.resource_headers import TranslatedHeadersMixin

from .models import FollowUp, Incident


class IncidentResource(SafeExportResource, TranslatedHeadersMixin, resources.ModelResource):
    customer = fields.Field(attribute="customer__name", column_name="customer")
    owner = fields.Field(attribute="owner__username", column_name="owner")
    invoice_count = fields.Field(column_name="invoices")
    header_labels = {"invoices": Incident._meta.get_field("invoices").verbose_name}

    class Meta:
        model = Incident
        fields = ("reference", "title", "kind", "category", "severity", "status", "customer", "owner",
                  "fault_started_at", "detected_at", "first_response_at", "response_due_at", "resolved_at",
                  "resolve_due_at", "closed_at", "root_cause", "resolution", "invoice_count")
        export_order = fields

    def dehydrate_invoice_count(self, incident):
        return ", ".join(str(i) for i in incident.invoices.all())


class FollowUpResource(SafeExportResource, TranslatedHeadersMixin, resources.ModelResource):
    incident = fields.Field(attribute="incident__reference", column_name="incident")
    customer = fields.Field(attribute="customer__name", column_name="customer")
    assignee = fields.Field(attribute="assignee__username", column_name="assignee")

    class Meta:
        model = FollowUp
        fields = ("title", "incident", "customer", "assignee", "due_at", "priority", "status",
                  "completed_at", "reminder_sent_at", "escalated_at", "notes")
        export_order = fields
