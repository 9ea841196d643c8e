"""The invoice page's incidents: the invoices app may not import incidents, so this side re-registers the assembled
InvoiceAdmin with a table of the invoice's incidents (those the user may see) and the next step about them: open
the incident that is already running, or create one prefilled with this invoice."""
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin.tables import ReadOnlyTable
from incidents.models import OPEN_STATUSES, Incident
from incidents.selectors import customer_complaint, invoices_customers_wait_for, visible_incidents
from invoices.admin import InvoiceAdmin
from invoices.ledger.models import Invoice
from invoices.next_step import NextStep


class InvoiceIncidentTable(ReadOnlyTable):
    model = Incident
    fk_name = "invoices"
    fields = ["reference", "title", "status", "owner", "resolve_due_at"]
    extra_values = ["id"]
    related_labels = {"owner": "owner__username"}
    ordering = ["-created_at", "-id"]
    verbose_name_plural = _("incidents about this invoice")

    def build(self, request, parent, empty="-"):
        self.user = request.user
        return super().build(request, parent, empty)

    def queryset(self, parent):
        return visible_incidents(self.user, super().queryset(parent))

    def columns(self, empty):
        columns = super().columns(empty)
        # The reference opens the incident.
        return [(name, header, key, self._link(html) if name == "reference" else html)
                for name, header, key, html in columns]

    @staticmethod
    def _link(html):
        return lambda row: format_html('<a href="{}">{}</a>', reverse("admin:incidents_incident_change",
                                                                      args=[row["id"]]), html(row))


class CustomerWaitingFilter(admin.SimpleListFilter):
    """客户在等 on finance's home page: the invoices an open incident is waiting on, the most urgent first."""
    title = _("customer waiting")
    parameter_name = "waiting"

    def lookups(self, request, model_admin):
        return [("customer", _("an open incident is waiting on it"))]

    def queryset(self, request, queryset):
        if self.value() == "customer":
            return queryset.filter(pk__in=invoices_customers_wait_for().values("pk"))
        return queryset


class InvoiceWithIncidentsAdmin(InvoiceAdmin):
    list_filter = [*InvoiceAdmin.list_filter, CustomerWaitingFilter]
    readonly_tables = [*InvoiceAdmin.readonly_tables[:-1], InvoiceIncidentTable, InvoiceAdmin.readonly_tables[-1]]

    def next_steps(self, request, obj):
        steps = super().next_steps(request, obj)
        # One problem, one incident: the oldest running one holding this invoice is where the work goes on; without
        # one, the customer's running incident (a verify attaches the invoice to it a moment later, on the worker).
        open_ones = visible_incidents(request.user, Incident.objects.filter(status__in=OPEN_STATUSES))
        # The customer's running complaint first: it is where a verify's finding attaches the invoice
        # (incidents.services.invoice_facts), and where the rep talks to the customer; a finance incident that also
        # holds the invoice (an outage, a platform check) is not the place to answer the customer.
        complaint = customer_complaint(obj.buyer_id, request.user)
        incident = complaint or open_ones.filter(invoices=obj).order_by("created_at", "id").first()
        if incident is not None and (complaint is None or complaint.invoices.filter(pk=obj.pk).exists()):
            text = gettext("Incident %(ref)s about this invoice is %(s)s.")
        elif incident is not None:
            text = gettext("The customer's incident %(ref)s is open (%(s)s): record this invoice there rather than "
                           "in a new incident.")
        if incident is not None:
            steps.append(NextStep(
                text % {"ref": incident.reference, "s": incident.get_status_display()},
                "link", gettext("Open %(ref)s") % {"ref": incident.reference},
                reverse("admin:incidents_incident_change", args=[incident.pk]), key="open_incident"))
        elif request.user.has_perm("incidents.add_incident"):
            steps.append(NextStep(
                gettext("A customer is asking about this invoice and no incident is open: record one."),
                "link", gettext("Create incident"),
                reverse("admin:incidents_incident_add") + f"?invoice={obj.pk}", key="create_incident"))
        return steps


admin.site.unregister(Invoice)
admin.site.register(Invoice, InvoiceWithIncidentsAdmin)
