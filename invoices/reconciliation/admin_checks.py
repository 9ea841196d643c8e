"""Admin for platform checks: the list (newest first) with a 立即核对 button for finance (reconcile_invoices, as in
the API), a check's page with its counts, incident and findings."""
from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core.admin.readonly import ReadOnlyAdminMixin
from invoices.ledger.models import Seller
from invoices.reconciliation.models import CHECK_COUNT_KEYS, DiscrepancyKind, PlatformCheck, PlatformCheckFinding
from invoices.reconciliation.services.platform_check import platform_check_start

RECONCILE = "invoices.reconcile_invoices"
COUNT_LABELS = {"pages": _("pages read"), "listed": _("invoices listed"), "matched": _("agree with the ledger"),
                **{kind: label for kind, label in DiscrepancyKind.choices}}


class PlatformCheckForm(forms.Form):
    seller = forms.ModelChoiceField(label=_("seller"), queryset=Seller.objects.order_by("name"))
    issued_from = forms.DateField(label=_("issued from"), widget=forms.DateInput(attrs={"type": "date"}),
                                  initial=lambda: timezone.localdate() - timedelta(days=2))
    issued_to = forms.DateField(label=_("issued to"), widget=forms.DateInput(attrs={"type": "date"}),
                                initial=timezone.localdate)


class FindingInline(admin.TabularInline):
    model = PlatformCheckFinding
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    fields = ["kind", "number", "detail", "applied_shown"]
    readonly_fields = fields
    extra = 0

    @admin.display(description=_("what the check did"))
    def applied_shown(self, obj):
        return {"reuploaded": _("marked missing and uploaded again"), "flagged": _("marked mismatch, not changed"),
                "to_review": _("for 补录 review"), "left_alone": _("left alone: changed meanwhile")}.get(
                    obj.applied, "—")


@admin.register(PlatformCheck)
class PlatformCheckAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["seller", "__str__", "status", "origin", "found", "incident_number", "created_at", "finished_at"]
    list_filter = ["status", "origin", "seller"]
    list_select_related = ["seller", "started_by"]
    fields = ["seller", "issued_from", "issued_to", "status", "origin", "started_by", "counts_table",
              "incident_number", "error", "created_at", "started_at", "finished_at"]
    readonly_fields = fields
    inlines = [FindingInline]
    change_list_template = "admin/invoices/platformcheck/change_list.html"

    def can_start(self, request):
        return request.user.has_perm(RECONCILE)

    def has_add_permission(self, request):
        return self.can_start(request)

    @admin.display(description=_("found"))
    def found(self, obj):
        counts = obj.counts or {}
        return ", ".join(f"{COUNT_LABELS[k]} {counts[k]}" for k in DiscrepancyKind.values if counts.get(k)) or "—"

    @admin.display(description=_("counts"))
    def counts_table(self, obj):
        counts = obj.counts or {}
        return format_html_join(mark_safe("<br>"), "{}: {}", ((COUNT_LABELS[k], counts.get(k, 0))
                                                              for k in CHECK_COUNT_KEYS))

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "can_start": self.can_start(request)})

    def add_view(self, request, form_url="", extra_context=None):
        if not self.can_start(request):
            raise PermissionDenied
        form = PlatformCheckForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                check = platform_check_start(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                self.message_user(request, _("Check of %(seller)s for %(period)s queued; this page shows its result.")
                                  % {"seller": check.seller.name, "period": check}, messages.SUCCESS)
                return redirect("admin:invoices_platformcheck_change", check.pk)
        context = {**self.admin_site.each_context(request), "title": _("Check against the platform now"),
                   "opts": self.model._meta, "form": form, "media": self.media + form.media}
        return TemplateResponse(request, "admin/invoices/platformcheck/start.html", context)
