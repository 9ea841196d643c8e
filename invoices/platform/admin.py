"""Admin for platform sync: actions and buttons on invoices, the attempts table, the bulk re-sync page and the
sellers' credit readings. Everything here calls the sync services. The simulated platform's own screens are in
admin_simulator."""
from datetime import datetime, time, timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

import invoices.platform.admin_simulator  # noqa: F401  registers the simulated platform's screens
from core.admin.readonly import ReadOnlyAdminMixin
from core.admin.tables import ReadOnlyTable
from core.admin.written import money_html
from invoices.ledger.models import Invoice, SyncStatus
from invoices.platform.models import CreditReading, SyncAttempt
from invoices.platform.services.sync import (
    RESYNCABLE,
    invoice_sync_request,
    invoice_verify,
    invoices_resync_bulk,
)

SYNC_PERMISSION = "invoices.sync_invoice"
# Verifying only asks the platform and records its answer: the rep on the phone needs it too.
VERIFY_PERMISSION = "invoices.verify_invoice"
VERIFY_LIMIT = 50  # verify queries the platform while the clerk waits; keep a click bounded


class SyncAttemptTable(ReadOnlyTable):
    model = SyncAttempt
    fk_name = "invoice"
    fields = ["started_at", "operation", "outcome", "attempt_no", "duration_ms", "error_code", "error", "actor"]
    related_labels = {"actor": "actor__username"}
    ordering = ["-started_at", "-id"]
    verbose_name_plural = _("sync attempts (newest first)")


class BulkResyncForm(forms.Form):
    since = forms.SplitDateTimeField(label=_("issued since"), widget=admin.widgets.AdminSplitDateTime)
    statuses = forms.MultipleChoiceField(
        label=_("sync states"), widget=forms.CheckboxSelectMultiple,
        choices=[(s.value, s.label) for s in RESYNCABLE], initial=[SyncStatus.FAILED, SyncStatus.PENDING],
    )
    reason = forms.CharField(label=_("reason"), required=False, max_length=200)


class InvoiceSyncAdminMixin:
    """Mixed into InvoiceAdmin: re-sync/verify actions and buttons, and the bulk re-sync page."""

    def has_sync_permission(self, request):
        return request.user.has_perm(SYNC_PERMISSION)

    def has_verify_permission(self, request):
        return request.user.has_perm(VERIFY_PERMISSION)

    @admin.action(description=_("Re-sync with the tax platform"), permissions=["sync"])
    def resync_selected(self, request, queryset):
        queued, refused = 0, []
        for invoice_id in queryset.order_by("id").values_list("id", flat=True):
            try:
                invoice_sync_request(invoice_id=invoice_id, actor=request.user, reason=gettext("admin action"))
                queued += 1
            except ValidationError as exc:
                refused.extend(exc.messages)
        if queued:
            self.message_user(request, gettext("%(n)d invoice(s) queued for upload.") % {"n": queued}, messages.SUCCESS)
        for message in refused[:10]:
            self.message_user(request, message, messages.WARNING)

    @admin.action(description=_("Verify on the tax platform"), permissions=["verify"])
    def verify_selected(self, request, queryset):
        ids = list(queryset.order_by("id").values_list("id", flat=True)[: VERIFY_LIMIT + 1])
        if len(ids) > VERIFY_LIMIT:
            self.message_user(request, gettext("Verify at most %(n)d invoices at a time.") % {"n": VERIFY_LIMIT},
                              messages.ERROR)
            return
        counts = {}
        for invoice_id in ids:
            outcome = invoice_verify(invoice_id=invoice_id, actor=request.user).outcome
            counts[outcome] = counts.get(outcome, 0) + 1
        level = messages.SUCCESS if set(counts) == {"synced"} else messages.WARNING
        self.message_user(request, gettext("Verified: %(counts)s") % {
            "counts": ", ".join(f"{_outcome_label(k)} {v}" for k, v in sorted(counts.items()))}, level)

    @admin.action(description=_("Re-sync failed/pending since …"), permissions=["sync"])
    def bulk_resync_from_selection(self, request, queryset):
        earliest = queryset.order_by("issued_at").values_list("issued_at", flat=True).first()
        url = reverse("admin:invoices_invoice_resync_bulk")
        if earliest:
            url += "?since=" + timezone.localtime(earliest).strftime("%Y-%m-%d")
        return redirect(url)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("resync-bulk/", view(self.bulk_resync_view), name="invoices_invoice_resync_bulk"),
            path("<int:object_id>/sync/", view(self.sync_one_view), name="invoices_invoice_sync"),
            path("<int:object_id>/verify/", view(self.verify_one_view), name="invoices_invoice_verify"),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        # "Re-sync … since" asks for the time on its own page: it needs no ticked row (the stock action would refuse).
        if (request.method == "POST" and request.POST.get("action") == "bulk_resync_from_selection"
                and not request.POST.getlist(helpers.ACTION_CHECKBOX_NAME) and self.has_sync_permission(request)):
            return redirect("admin:invoices_invoice_resync_bulk")
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_sync_invoice": self.has_sync_permission(request),
                         "can_verify_invoice": self.has_verify_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _check_sync(self, request):
        if request.method != "POST" or not self.has_sync_permission(request):
            raise PermissionDenied

    def sync_one_view(self, request, object_id):
        self._check_sync(request)
        invoice = get_object_or_404(Invoice, pk=object_id)
        try:
            invoice_sync_request(invoice_id=invoice.pk, actor=request.user, reason=gettext("admin button"),
                                 force=bool(request.POST.get("force")))
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.WARNING)
        else:
            self.message_user(request, gettext("Invoice %(n)s queued for upload.") % {"n": invoice}, messages.SUCCESS)
        return redirect("admin:invoices_invoice_change", invoice.pk)

    def verify_one_view(self, request, object_id):
        if request.method != "POST" or not self.has_verify_permission(request):
            raise PermissionDenied
        invoice = get_object_or_404(Invoice, pk=object_id)
        result = invoice_verify(invoice_id=invoice.pk, actor=request.user)
        level = messages.SUCCESS if result.outcome == "synced" else messages.WARNING
        self.message_user(request, gettext("Invoice %(n)s: %(outcome)s") % {
            "n": invoice, "outcome": _outcome_label(result.outcome)}, level)
        return redirect("admin:invoices_invoice_change", invoice.pk)

    def bulk_resync_view(self, request):
        if not self.has_sync_permission(request):
            raise PermissionDenied
        initial = {"since": timezone.localtime() - timedelta(days=1)}
        asked = parse_date(request.GET.get("since") or "")
        if asked:
            initial["since"] = timezone.make_aware(datetime.combine(asked, time.min))
        form = BulkResyncForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                count = invoices_resync_bulk(actor=request.user, since=data["since"], statuses=data["statuses"],
                                             reason=data["reason"])
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                self.message_user(request, gettext("%(n)d invoice(s) queued for upload.") % {"n": count},
                                  messages.SUCCESS)
                return redirect("admin:invoices_invoice_changelist")
        context = {
            **self.admin_site.each_context(request), "title": _("Re-sync failed/pending invoices"),
            "opts": self.model._meta, "form": form, "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/invoices/invoice/bulk_resync.html", context)


def _outcome_label(outcome):
    return {
        "synced": gettext("on the platform, matches"), "missing": gettext("missing on platform"),
        "mismatch": gettext("differs from platform"), "unavailable": gettext("platform unavailable"),
        "rejected": gettext("query rejected"),
    }.get(outcome, outcome)


@admin.register(CreditReading)
class CreditReadingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Each seller's latest credit limit on the platform, as the hourly check read it; the home page's warning opens
    this list filtered on `low`. Only the check writes it."""

    list_display = ["seller", "remaining_shown", "total_shown", "used_shown", "share_shown", "low", "checked_at",
                    "warned_at"]
    list_filter = ["low"]
    list_select_related = ["seller"]
    search_fields = ["seller__name", "=seller__tax_id"]
    fields = ["seller", "remaining_shown", "total_shown", "used_shown", "share_shown", "low", "checked_at",
              "warned_at"]
    readonly_fields = fields

    @admin.display(description=_("credit remaining"), ordering="remaining")
    def remaining_shown(self, obj):
        return money_html(obj.remaining)

    @admin.display(description=_("credit limit"), ordering="total")
    def total_shown(self, obj):
        return money_html(obj.total)

    @admin.display(description=_("used this month"), ordering="used")
    def used_shown(self, obj):
        return money_html(obj.used)

    @admin.display(description=_("share left"))
    def share_shown(self, obj):
        return f"{obj.remaining_percent}%"
