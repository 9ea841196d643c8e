from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from core.admin.fastlist import FastChangeListMixin
from core.admin.history import ReadOnlyHistoryAdmin
from core.admin.tables import EventTextColumn, ReadOnlyTable, ReadOnlyTablesMixin
from core.admin.written import MONEY, NUMBER, RATE, WrittenColumnsMixin, money
from core.paginator import EstimatedCountPaginator
from core.text import clean_name, name_error
from invoices.ledger.admin_import import ServiceImportExportMixin
from invoices.ledger.filters import RiskLevelListFilter
from invoices.ledger.forms import InvoiceIssueForm, InvoiceLineFormSet
from invoices.ledger.imports.admin import ImportJobAdmin
from invoices.ledger.imports.models import ImportJob
from invoices.ledger.list_columns import InvoiceListColumns
from invoices.ledger.models import Customer, Invoice, InvoiceEvent, InvoiceEventKind, InvoiceLine, Seller
from invoices.ledger.resources import CustomerResource, InvoiceResource
from invoices.ledger.selectors import invoice_search
from invoices.ledger.services.customers import (
    CUSTOMER_FIELDS,
    _clean_customer,
    customer_create,
    customer_update,
)
from invoices.ledger.services.issue import invoice_issue


class SellerAdminForm(admin.ModelAdmin.form):
    def clean_name(self):
        name = clean_name(self.cleaned_data.get("name"))
        if name_error(name, Seller._meta.get_field("name").verbose_name):
            raise ValidationError(name_error(name, Seller._meta.get_field("name").verbose_name))
        return name


admin.site.register(ImportJob, ImportJobAdmin)


@admin.register(Seller)
class SellerAdmin(admin.ModelAdmin):
    form = SellerAdminForm
    list_display = ["name", "tax_id", "region", "region_code"]
    search_fields = ["name", "tax_id"]


class CustomerAdminForm(admin.ModelAdmin.form):
    def clean(self):
        data = super().clean()
        try:
            cleaned, _warnings = _clean_customer(
                {f: data.get(f, "") for f in CUSTOMER_FIELDS}, instance=self.instance if self.instance.pk else None
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            data.update(cleaned)
        return data


@admin.register(Customer)
class CustomerAdmin(FastChangeListMixin, ServiceImportExportMixin, ReadOnlyHistoryAdmin):
    form = CustomerAdminForm
    resource_classes = [CustomerResource]
    import_permission = "invoices.import_customers"
    list_display = ["name", "tax_id", "contact_name", "mobile", "email"]
    search_fields = ["name", "=tax_id", "contact_name", "=mobile"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data.get(f, "") for f in CUSTOMER_FIELDS}
        if change:
            saved = customer_update(customer=obj, actor=request.user, **data)
        else:
            saved = customer_create(actor=request.user, **data)
        obj.pk = saved.pk
        obj.tax_id = saved.tax_id
        # Accepted but worth a second look (a legacy or ID-card-shaped 纳税人识别号): shown beside the saved message.
        for warning in saved.warnings:
            self.message_user(request, warning, messages.WARNING)

    def has_delete_permission(self, request, obj=None):
        # Customers carry invoices; they are never deleted from the back office.
        return False


class InvoiceLineTable(WrittenColumnsMixin, ReadOnlyTable):
    model = InvoiceLine
    written = {"quantity": NUMBER, "unit_price": NUMBER, "amount": MONEY, "tax_rate": RATE, "tax_amount": MONEY}
    fk_name = "invoice"
    fields = ["line_no", "name", "tax_code", "spec", "unit", "quantity", "unit_price", "amount", "tax_rate",
              "zero_rate_flag", "tax_amount"]
    ordering = ["line_no", "id"]


class InvoiceEventTable(EventTextColumn, ReadOnlyTable):
    model = InvoiceEvent
    kinds = InvoiceEventKind
    fk_name = "invoice"
    fields = ["at", "kind", "actor", "text"]
    related_labels = {"actor": "actor__username"}
    ordering = ["-at", "-id"]
    verbose_name_plural = _("events (newest first)")


class InvoiceLedgerAdmin(InvoiceListColumns, FastChangeListMixin, ReadOnlyTablesMixin, ServiceImportExportMixin,
                         ReadOnlyHistoryAdmin):
    """The ledger's part of the invoice page: list, search, the issue form, lines and events. invoices/admin.py
    registers it with the platform's and the reissue desk's parts mixed in."""

    resource_classes = [InvoiceResource]
    import_permission = "invoices.import_invoices"
    list_filter = ["status", "sync_status", RiskLevelListFilter, "kind", "direction", "seller",
                   ("issued_at", admin.DateFieldListFilter)]
    list_select_related = ["seller"]
    search_fields = ["number"]  # replaced by get_search_results; keeps the search box
    search_help_text = _("Number or code (exact or prefix), buyer tax id, or part of the buyer name.")
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    list_per_page = 50
    # Lines and events are read-only: plain tables from values() queries, not inline formsets.
    readonly_tables = [InvoiceLineTable, InvoiceEventTable]
    fieldsets = [
        (None, {"fields": ["kind", "direction", "code", "number", "issued_at", "seller", "status", "sync_status",
                           "risk_level"]}),
        (_("buyer"), {"fields": ["buyer", "buyer_name", "buyer_tax_id"]}),
        (_("amounts"), {"fields": ["amount_shown", "tax_shown", "total_written"]}),
        (_("other"), {"fields": ["remarks", "drawer", "created_by", "created_at"]}),
    ]
    readonly_fields = ["created_at", "amount_shown", "tax_shown", "total_written"]

    @admin.display(description=_("amount"))
    def amount_shown(self, obj):
        return money(obj.amount)

    @admin.display(description=_("tax"))
    def tax_shown(self, obj):
        return money(obj.tax_amount)

    @admin.display(description=_("total incl. tax"))
    def total_written(self, obj):
        return money(obj.total)

    def get_search_results(self, request, queryset, search_term):
        return invoice_search(queryset, search_term), False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Invoice._meta.concrete_fields] + [
            f for f in self.readonly_fields if f not in {c.name for c in Invoice._meta.concrete_fields}
        ]

    def has_change_permission(self, request, obj=None):
        # An issued invoice is immutable: corrections go through red-flush and reissue.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = InvoiceIssueForm(request.POST or None, admin_site=self.admin_site)
        formset = InvoiceLineFormSet(request.POST or None, prefix="lines")
        if request.method == "POST" and form.is_valid() and formset.is_valid():
            filled = [f for f in formset.forms if f.cleaned_data]
            lines = [f.cleaned_data for f in filled]
            data = form.cleaned_data
            try:
                invoice = invoice_issue(
                    actor=request.user, seller=data["seller"], buyer=data["buyer"], kind=data["kind"],
                    code=data["code"], number=data["number"], issued_at=data["issued_at"],
                    drawer=data["drawer"], remarks=data["remarks"], lines=lines,
                )
            except ValidationError as exc:
                self._attach_errors(exc, form, filled)
            else:
                for warning in getattr(invoice, "warnings", []):
                    self.message_user(request, warning, messages.WARNING)
                self.message_user(request, _("Invoice %(n)s issued.") % {"n": invoice}, messages.SUCCESS)
                return redirect("admin:invoices_invoice_change", invoice.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Issue invoice"),
            "opts": self.model._meta,
            "form": form,
            "formset": formset,
            "media": self.media + form.media + formset.media,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/invoices/invoice/issue_form.html", context)

    @staticmethod
    def _attach_errors(exc, form, line_forms):
        # The service numbers lines from 1 over the filled rows only.
        for key, errors in exc.message_dict.items():
            if key.startswith("lines.") and key.count(".") == 2:
                _prefix, n, field = key.split(".")
                line_form = line_forms[int(n) - 1] if int(n) - 1 < len(line_forms) else None
                if line_form is not None and field in line_form.fields:
                    line_form.add_error(field, errors)
                    continue
            form.add_error(key if key in form.fields else None, errors)
