"""The simulated platform's own admin: its outage switch, what it holds (invoices, red-letter forms, credit limits),
and the simulated buyer, who confirms or denies the seller's forms, enters forms and confirms use of invoices in
their own 税务数字账户. Whoever may operate the simulator (change its settings) may act as the buyer."""
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from core.admin.readonly import ReadOnlyAdminMixin
from core.admin.written import money, rate
from core.paginator import EstimatedCountPaginator
from invoices.platform.gateway import WAITING_FORM_STATUSES, PlatformRejected
from invoices.platform.models import PlatformCredit, PlatformInvoice, PlatformRedLetterForm, PlatformSettings
from invoices.platform.sim_credit import sim_credit, sim_credit_set
from invoices.platform.sim_forms import STATUS_TEXT, sim_buyer_answer, sim_buyer_enter, sim_buyer_mark_used
from invoices.platform.simulator import sim_settings_row

OPERATE_PERMISSION = "invoices.change_platformsettings"
ENTRANTS = {"seller": pgettext_lazy("red-letter form entrant", "seller"),
            "buyer": pgettext_lazy("red-letter form entrant", "buyer")}


def can_operate(request):
    return request.user.has_perm(OPERATE_PERMISSION)


def effective_status(form, now=None):
    """The status the platform answers now: a waiting form past its 72 hours reads 07 before anyone writes it."""
    if form.status in WAITING_FORM_STATUSES and form.lapses_at and form.lapses_at <= (now or timezone.now()):
        return "07"
    return form.status


@admin.register(PlatformSettings)
class PlatformSettingsAdmin(admin.ModelAdmin):
    """One row. The list view jumps straight to it so staff find the outage switch in one click."""

    fieldsets = [
        (None, {"fields": ["outage"]}),
        (_("outage window"), {"fields": ["outage_from", "outage_until"]}),
        (_("flakiness"), {"fields": ["failure_rate", "latency_ms", "rejected_tax_ids"]}),
    ]

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return redirect("admin:invoices_platformsettings_change", sim_settings_row().pk)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self.message_user(request, gettext("The simulated platform now behaves as set here."), messages.INFO)


@admin.register(PlatformInvoice)
class PlatformInvoiceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What the simulated platform holds: look here to see an upload arrive (or not)."""

    list_display = ["__str__", "status", "total", "uploads", "received_at", "buyer_confirmed_use_at", "platform_id"]
    search_fields = ["=number"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    fields = ["code", "number", "status", "total", "uploads", "received_at", "buyer_confirmed_use_at", "platform_id",
              "issue_key", "payload"]
    readonly_fields = fields
    actions = ["buyer_enter_form", "buyer_mark_used"]

    def has_act_as_buyer_permission(self, request):
        return can_operate(request)

    @admin.action(description=_("Enter a red-letter form as the buyer (full amount)"), permissions=["act_as_buyer"])
    def buyer_enter_form(self, request, queryset):
        for record in queryset.order_by("id")[:50]:
            try:
                form = sim_buyer_enter(original_number=record.number, original_code=record.code, reason="01")
            except PlatformRejected as exc:
                self.message_user(request, gettext("Invoice %(n)s: the platform refused the form: %(why)s") % {
                    "n": record.number, "why": exc.message}, messages.WARNING)
            else:
                self.message_user(request, gettext(
                    "The buyer entered red-letter form %(f)s for invoice %(n)s; it waits for the seller's answer.")
                    % {"f": form.number, "n": record.number}, messages.SUCCESS)

    @admin.action(description=_("Mark as confirmed for use by the buyer"), permissions=["act_as_buyer"])
    def buyer_mark_used(self, request, queryset):
        now = timezone.now()
        count = sum(sim_buyer_mark_used(number=r.number, code=r.code, at=now) for r in queryset.order_by("id"))
        self.message_user(request, gettext(
            "The buyer confirmed use of %(n)d invoice(s): a red-letter form against them now needs the buyer's "
            "confirmation.") % {"n": count}, messages.SUCCESS)


@admin.register(PlatformRedLetterForm)
class PlatformRedLetterFormAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The forms the simulated platform keeps, with the buyer's answer to a form the seller entered (02)."""

    list_display = ["number", "original_number", "entrant", "status_text", "created_at", "lapses_at"]
    list_filter = ["status", "entered_by"]
    search_fields = ["=number", "=original_number"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    fields = ["number", "status_text", "entrant", "original_code", "original_number", "seller_tax_id", "buyer_tax_id",
              "reason", "red_amount", "red_tax", "line_table", "created_at", "lapses_at", "decided_at"]
    readonly_fields = fields
    actions = ["buyer_confirm", "buyer_deny"]

    @admin.display(description=_("status"), ordering="status")
    def status_text(self, obj):
        status = effective_status(obj)
        return f"{status} {STATUS_TEXT.get(status, '')}".strip()

    @admin.display(description=_("entered by"), ordering="entered_by")
    def entrant(self, obj):
        return ENTRANTS.get(obj.entered_by, obj.entered_by)

    @admin.display(description=_("red amount"))
    def red_amount(self, obj):
        return money(obj.amount)

    @admin.display(description=_("red tax"))
    def red_tax(self, obj):
        return money(obj.tax_amount)

    @admin.display(description=_("lines"))
    def line_table(self, obj):
        rows = [(line.get("name") or "", money(line.get("amount")), rate(line.get("tax_rate")),
                 money(line.get("tax_amount"))) for line in obj.lines if isinstance(line, dict)]
        if not rows:
            return "—"
        return format_html("<table><tbody>{}</tbody></table>", format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows))

    def has_act_as_buyer_permission(self, request):
        return can_operate(request)

    def _answer(self, request, form, accept):
        try:
            status = sim_buyer_answer(form.number, accept)
        except PlatformRejected as exc:
            self.message_user(request, gettext("Form %(f)s: %(why)s") % {"f": form.number, "why": exc.message},
                              messages.WARNING)
        else:
            self.message_user(request, gettext("Form %(f)s is now %(status)s as the buyer answered.") % {
                "f": form.number, "status": f"{status} {STATUS_TEXT[status]}"}, messages.SUCCESS)

    @admin.action(description=_("Confirm as the buyer"), permissions=["act_as_buyer"])
    def buyer_confirm(self, request, queryset):
        for form in queryset.order_by("id")[:50]:
            self._answer(request, form, True)

    @admin.action(description=_("Deny as the buyer"), permissions=["act_as_buyer"])
    def buyer_deny(self, request, queryset):
        for form in queryset.order_by("id")[:50]:
            self._answer(request, form, False)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("<int:object_id>/buyer-answer/", view(self.buyer_answer_view),
                     name="invoices_platformredletterform_buyer_answer")] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        form = self.get_object(request, object_id)  # None for an id that is not one (the page then says so)
        waits = form is not None and effective_status(form) == "02"
        extra_context = {**(extra_context or {}), "can_answer_as_buyer": waits and can_operate(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def buyer_answer_view(self, request, object_id):
        if request.method != "POST" or not can_operate(request):
            raise PermissionDenied
        form = get_object_or_404(PlatformRedLetterForm, pk=object_id)
        self._answer(request, form, request.POST.get("accept") == "1")
        return redirect("admin:invoices_platformredletterform_change", form.pk)


class CreditForm(forms.ModelForm):
    class Meta:
        model = PlatformCredit
        fields = ["seller_tax_id", "total"]

    def clean_seller_tax_id(self):
        value = self.cleaned_data["seller_tax_id"].strip().upper()
        if not value:
            raise forms.ValidationError(gettext("Enter the seller's tax id."))
        return value

    def clean_total(self):
        total = self.cleaned_data["total"]
        if total is None or total < 0:
            raise forms.ValidationError(gettext("The credit limit must be zero or more yuan."))
        return total


@admin.register(PlatformCredit)
class PlatformCreditAdmin(admin.ModelAdmin):
    """A seller's monthly limit on the simulated platform: lower it to rehearse CREDIT_EXCEEDED."""

    form = CreditForm
    list_display = ["seller_tax_id", "limit", "used_this_month", "period"]
    search_fields = ["=seller_tax_id"]
    readonly_fields = ["used_this_month", "remaining", "period"]

    @admin.display(description=_("credit limit (yuan)"), ordering="total")
    def limit(self, obj):
        return money(obj.total)

    @admin.display(description=_("used this month (yuan)"))
    def used_this_month(self, obj):
        return money(obj.used) if obj.pk else "—"

    @admin.display(description=_("remaining (yuan)"))
    def remaining(self, obj):
        return money(sim_credit(obj.seller_tax_id)["remaining"]) if obj.pk else "—"

    def get_readonly_fields(self, request, obj=None):
        # The row is the seller's: change its limit, not whose it is.
        return [*self.readonly_fields, "seller_tax_id"] if obj is not None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        sim_credit_set(obj.seller_tax_id, obj.total)
        obj.pk = PlatformCredit.objects.get(seller_tax_id=obj.seller_tax_id).pk
        self.message_user(request, gettext("Seller %(t)s may now issue %(limit)s a month on the simulated platform.")
                          % {"t": obj.seller_tax_id, "limit": money(obj.total)}, messages.INFO)
