"""补录 as a reviewed write. One discrepancy: a prefilled form showing exactly what will be written (the line's
name and rate may be changed, and a change is shown again before it is written). Several: a confirmation page
with their count and total amount. Both write through discrepancy_manual_entry, hence invoice_issue."""
import hashlib
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from invoices.ledger.models import Direction, InvoiceKind
from invoices.ledger.money import HISTORIC_RATES, TAX_RATES, rate_label, to_decimal
from invoices.reconciliation.models import Discrepancy, DiscrepancyKind, Resolution
from invoices.reconciliation.services.discrepancies import (
    discrepancy_manual_entry,
    discrepancy_manual_entry_preview,
)

RECONCILE = "invoices.reconcile_invoices"
BULK_LISTED = 50


def yuan(value):
    value = Decimal(value)
    return f"{'-' if value < 0 else ''}¥{abs(value):,.2f}"


class ManualEntryForm(forms.Form):
    line_name = forms.CharField(label=gettext_lazy("goods or service on the summary line"), max_length=200)
    tax_rate = forms.TypedChoiceField(
        label=gettext_lazy("tax rate"), coerce=Decimal,
        # Historic rates too: an old invoice entered today carries the rate of its day (the issue rules check it).
        choices=[(str(r), rate_label(r)) for r in TAX_RATES + list(HISTORIC_RATES)])
    reviewed = forms.CharField(widget=forms.HiddenInput, required=False)


def _fingerprint(line_name, tax_rate):
    return hashlib.sha256(f"{line_name}\x00{to_decimal(tax_rate)}".encode()).hexdigest()[:16]


def plan_rows(plan):
    """What will be written, as label/value pairs for the page."""
    line, buyer = plan["line"], plan["buyer"]
    kind = InvoiceKind(plan["kind"]).label if plan["kind"] in InvoiceKind.values else plan["kind"]
    number = f"{plan['code']}-{plan['number']}" if plan["code"] else plan["number"]
    return [
        (_("seller"), f"{plan['seller'].name} {plan['seller'].tax_id}"),
        (_("buyer"), f"{plan['buyer_name']} {plan['buyer_tax_id']}".strip()),
        (_("buyer record"), _("existing customer") if buyer else _("a new customer is created")),
        (_("invoice number"), number),
        (_("kind"), kind),
        (_("direction"), Direction(plan["direction"]).label),
        (_("blue original"), plan["original"].number if plan["original"] else "—"),
        (_("issued at"), timezone.localtime(plan["issued_at"]).strftime("%Y-%m-%d %H:%M")),
        (_("goods or service"), line["name"]),
        (_("amount"), yuan(line["amount"])),
        (_("tax rate"), rate_label(line["tax_rate"])),
        (_("tax"), yuan(line["tax_amount"])),
        (_("total"), yuan(plan["total"])),
        (_("drawer"), plan["drawer"] or "—"),
        (_("remarks"), plan["remarks"] or "—"),
        (_("sync status"), _("synced (it is on the platform)")),
    ]


class ManualEntryAdminMixin:
    def get_urls(self):
        return [path("<path:object_id>/manual-entry/", self.admin_site.admin_view(self.manual_entry_view),
                     name="invoices_discrepancy_manual_entry")] + super().get_urls()

    def _context(self, request, title, **more):
        return {**self.admin_site.each_context(request), "title": title, "opts": self.model._meta, **more}

    def manual_entry_view(self, request, object_id):
        if not request.user.has_perm(RECONCILE):
            raise PermissionDenied
        if not str(object_id).isdigit():
            raise Http404
        item = get_object_or_404(Discrepancy.objects.select_related("run__seller"), pk=object_id,
                                 kind=DiscrepancyKind.MISSING_IN_LEDGER)
        back = reverse("admin:invoices_discrepancy_changelist") + f"?run__id__exact={item.run_id}"
        if item.resolution:
            self.message_user(request, _("This discrepancy is already resolved (%(r)s).") % {
                "r": item.get_resolution_display()}, messages.WARNING)
            return redirect(back)
        # GET: the service's own defaults (the rate inferred from 税额/金额). POST: the submitted line, shown
        # again unless it is exactly what was reviewed.
        form = ManualEntryForm(request.POST) if request.method == "POST" else None
        values = {"line_name": "", "tax_rate": None} if form is None else (
            form.cleaned_data if form.is_valid() else None)
        plan, errors = None, []
        if values is not None:
            try:
                plan = discrepancy_manual_entry_preview(discrepancy=item, line_name=values["line_name"],
                                                        tax_rate=values["tax_rate"])
            except ValidationError as exc:
                errors = [m for ms in exc.message_dict.values() for m in ms]
        if plan is not None and form is not None and "apply" in request.POST:
            if form.cleaned_data["reviewed"] != _fingerprint(plan["line"]["name"], plan["line"]["tax_rate"]):
                errors.append(_("You changed the line; check what will be written, then write it."))
            else:
                try:
                    discrepancy_manual_entry(discrepancy=item, actor=request.user, line_name=values["line_name"],
                                             tax_rate=values["tax_rate"])
                except ValidationError as exc:
                    errors = [m for ms in exc.message_dict.values() for m in ms]
                else:
                    self.message_user(request, _("Invoice %(n)s entered into the ledger (补录).") % {
                        "n": item.number}, messages.SUCCESS)
                    return redirect(back)
        if plan is not None:
            form = ManualEntryForm(initial={
                "line_name": plan["line"]["name"], "tax_rate": str(plan["line"]["tax_rate"]),
                "reviewed": _fingerprint(plan["line"]["name"], plan["line"]["tax_rate"])})
        elif form is None:
            form = ManualEntryForm(initial={"line_name": _("Manual entry of %(n)s") % {"n": item.number}})
        context = self._context(request, _("Manual entry (补录) of %(n)s") % {"n": item.number}, item=item,
                                form=form, rows=plan_rows(plan) if plan else [], errors=errors, back=back)
        return TemplateResponse(request, "admin/invoices/discrepancy/manual_entry.html", context)

    def manual_entry_bulk(self, request, queryset):
        """The admin action: one discrepancy opens its review form; several, a confirmation with count and total."""
        items = list(queryset.filter(kind=DiscrepancyKind.MISSING_IN_LEDGER, resolution=Resolution.OPEN)
                     .select_related("run__seller").order_by("id"))
        if not items:
            self.message_user(request, _("Manual entry applies to open discrepancies of kind “%(k)s” only.") % {
                "k": DiscrepancyKind.MISSING_IN_LEDGER.label}, messages.WARNING)
            return None
        if len(items) == 1 and "apply" not in request.POST:
            return redirect("admin:invoices_discrepancy_manual_entry", items[0].pk)
        if "apply" in request.POST:
            self._apply(request, Discrepancy.objects.filter(pk__in=[i.pk for i in items]), discrepancy_manual_entry,
                        _("Manual entry"))
            return None
        ready, refused, total = [], [], Decimal("0.00")
        for item in items:
            try:
                plan = discrepancy_manual_entry_preview(discrepancy=item)
            except ValidationError as exc:
                refused.append((item.number, "; ".join(m for ms in exc.message_dict.values() for m in ms)))
            else:
                total += plan["total"]
                ready.append((item.number, plan["buyer_name"], rate_label(plan["line"]["tax_rate"]),
                              yuan(plan["total"])))
        context = self._context(
            request, _("Manual entry (补录) of %(n)d invoices") % {"n": len(ready)}, count=len(ready),
            total=yuan(total), listed=ready[:BULK_LISTED], more=max(len(ready) - BULK_LISTED, 0), refused=refused,
            ids=[i.pk for i in items], action_checkbox_name=ACTION_CHECKBOX_NAME)
        return TemplateResponse(request, "admin/invoices/discrepancy/manual_entry_bulk.html", context)
