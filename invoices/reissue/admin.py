"""Admin for the reissue desk: the reissue and re-deliver screens reached from an invoice, the approvers'
queue with a confirmation page in the manner of Django's delete confirmation, and the red-letter forms."""
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin.formats import field_formatter
from core.admin.history import ReadOnlyHistoryAdmin
from core.admin.readonly import ReadOnlyAdminMixin
from core.admin.tables import ReadOnlyTable
from core.admin.written import money, plain_number
from core.api_errors import Conflict
from invoices.ledger.forms import rate_choice
from invoices.ledger.models import Invoice
from invoices.reissue.admin_filters import ApprovalQueueFilter
from invoices.reissue.chain import chain_html
from invoices.reissue.diff import (
    line_headers,
    lines_table,
    new_lines_shown,
    red_lines_shown,
    reissue_diff,
)
from invoices.reissue.forms import (
    NewLineFormSet,
    RedLineFormSet,
    ReissueForm,
    RejectForm,
)
from invoices.platform.gateway import PlatformRejected, PlatformUnavailable
from invoices.reissue.models import RedLetterFormStatus, ReissueRequest, ReissueStatus
from invoices.reissue.services.completion import completion_progress, completion_stalled
from invoices.reissue.services.plan import (
    original_lines_as_input,
    red_invoice_lines,
    remaining_lines,
)
from invoices.reissue.services.redeliver import invoice_redeliver
from invoices.reissue.services.redletter import red_letter_form_check
from invoices.reissue.services.reissue import (
    invoice_reissue_approve,
    invoice_reissue_cancel,
    invoice_reissue_reject,
    invoice_reissue_request,
    invoice_reissue_retry,
)


class _Preview(Exception):
    pass


def _errors_onto(exc, form, line_forms, red_forms):
    for key, errors in exc.message_dict.items():
        parts = key.split(".")
        if parts[0] == "new" and len(parts) == 4 and parts[1] == "lines":
            idx = int(parts[2]) - 1
            if idx < len(line_forms) and parts[3] in line_forms[idx].fields:
                line_forms[idx].add_error(parts[3], errors)
                continue
        if parts[0] == "red_lines" and len(parts) == 2 and int(parts[1]) - 1 < len(red_forms):
            red_forms[int(parts[1]) - 1].add_error("amount", errors)
            continue
        field = parts[-1] if parts[0] == "new" and len(parts) == 2 else key
        field = {"buyer_tax_id": "new_buyer_tax_id", "buyer_name": "new_buyer_name"}.get(field, field)
        form.add_error(field if field in form.fields else None, errors)


def _line_initial(line):
    """An original line as the form's initial row: numbers as people write them, the rate as a select value."""
    return {**line, "quantity": plain_number(line["quantity"]), "unit_price": plain_number(line["unit_price"]),
            "tax_rate": rate_choice(line["tax_rate"])}


def _kept(formset):
    """The rows the user filled and did not remove, without the formset's DELETE flag."""
    return [f for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")]


def _error_count(form, *formsets):
    if not form.is_bound:
        return 0
    return len(form.errors) + sum(fs.total_error_count() for fs in formsets)


def _line_data(form):
    return {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}


class ReissueRequestTable(ReadOnlyTable):
    """An invoice's reissue requests on its page, each opening the request."""
    model = ReissueRequest
    fk_name = "original"
    fields = ["opened", "reason", "status", "step", "requested_by", "approved_by", "failure"]
    extra_values = ["id", "requested_at"]
    related_labels = {"requested_by": "requested_by__username", "approved_by": "approved_by__username"}
    ordering = ["-requested_at", "-id"]
    verbose_name_plural = _("reissue requests (newest first)")

    def __init__(self):
        self._when = field_formatter(ReissueRequest._meta.get_field("requested_at"), "-")

    def opened(self, row):
        return format_html('<a href="{}">{}</a>', reverse("admin:invoices_reissuerequest_change", args=[row["id"]]),
                           self._when(row["requested_at"]))
    opened.short_description = _("requested at")


class InvoiceReissueAdminMixin:
    """Reissue and re-deliver, reached from the invoice page, and the chain original → red → reissued on it."""

    @admin.display(description=_("original → red → reissued"))
    def chain(self, obj):
        return chain_html(obj)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:object_id>/reissue/", view(self.reissue_view), name="invoices_invoice_reissue"),
            path("<int:object_id>/redeliver/", view(self.redeliver_view), name="invoices_invoice_redeliver"),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_reissue": request.user.has_perm("invoices.reissue_invoice"),
            "can_redeliver": request.user.has_perm("invoices.view_invoice"),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def reissue_view(self, request, object_id):
        if not request.user.has_perm("invoices.reissue_invoice"):
            raise PermissionDenied
        invoice = get_object_or_404(Invoice.objects.select_related("buyer", "seller"), pk=object_id)
        remaining = remaining_lines(invoice)
        initial_red = [{"line_no": r.line_no} for r in remaining]
        post = request.POST if request.method == "POST" else None
        form = ReissueForm(post, admin_site=self.admin_site, initial={
            "new_buyer": invoice.buyer_id, "new_buyer_name": invoice.buyer_name,
            "new_buyer_tax_id": invoice.buyer_tax_id, "new_remarks": invoice.remarks,
        })
        lines = NewLineFormSet(post, prefix="lines",
                               initial=[_line_initial(ln) for ln in original_lines_as_input(invoice)])
        reds = RedLineFormSet(post, prefix="red", initial=initial_red)
        preview = None
        if post is not None and form.is_valid() and lines.is_valid() and reds.is_valid():
            filled = _kept(lines)
            red_filled = [f for f in reds.forms if f.cleaned_data.get("amount")]
            data = form.cleaned_data
            kwargs = dict(
                invoice=invoice, actor=request.user, reason=data["reason"], scope=data["scope"],
                red_lines=[f.cleaned_data for f in red_filled], issue_new=data["issue_new"],
                new_buyer=data["new_buyer"], new_buyer_name=data["new_buyer_name"],
                new_buyer_tax_id=data["new_buyer_tax_id"],
                new_lines=[_line_data(f) for f in filled] if data["issue_new"] else [],
                new_remarks=data["new_remarks"], note=data["note"],
            )
            try:
                if "_confirm" in post:
                    created = invoice_reissue_request(**kwargs)
                    self.message_user(request, gettext(
                        "Reissue request for invoice %(n)s submitted; a colleague must approve it.")
                        % {"n": invoice}, messages.SUCCESS)
                    return redirect("admin:invoices_reissuerequest_change", created.pk)
                # Preview: run the real checks, then roll back.
                with transaction.atomic():
                    planned = invoice_reissue_request(**kwargs)
                    buyer = data["new_buyer"] or invoice.buyer
                    diff = reissue_diff(invoice, buyer_name=data["new_buyer_name"] or buyer.name,
                                        buyer_tax_id=data["new_buyer_tax_id"] or buyer.tax_id,
                                        remarks=data["new_remarks"], lines=kwargs["new_lines"],
                                        issue_new=data["issue_new"])
                    preview = {"diff": diff["fields"], "line_headers": diff["headers"], "lines": diff["lines"],
                               "red_lines": red_lines_shown(red_invoice_lines(invoice, planned.red_lines))}
                    raise _Preview
            except _Preview:
                pass
            except ValidationError as exc:
                _errors_onto(exc, form, filled, red_filled)
            except Conflict as exc:
                form.add_error(None, exc.detail)
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "title": gettext("Reissue %(n)s") % {
                "n": invoice}, "original": invoice, "form": form, "lines": lines, "reds": reds,
            "red_rows": [(f, r, money(r.amount)) for f, r in zip(reds.forms, remaining)], "preview": preview,
            "error_count": _error_count(form, lines, reds),
            "media": self.media + form.media + lines.media,
        }
        return TemplateResponse(request, "admin/invoices/invoice/reissue.html", context)

    def redeliver_view(self, request, object_id):
        if not request.user.has_perm("invoices.view_invoice"):
            raise PermissionDenied
        invoice = get_object_or_404(Invoice.objects.select_related("buyer"), pk=object_id)
        if request.method == "POST":
            try:
                invoice_redeliver(invoice=invoice, actor=request.user, email=request.POST.get("email", ""),
                                  formats=["pdf", "xml"] if request.POST.get("attach_xml") else ["pdf"])
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
            else:
                self.message_user(request, gettext("Invoice %(n)s will be sent again.") % {"n": invoice}, messages.SUCCESS)
                return redirect("admin:invoices_invoice_change", invoice.pk)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta,
                   "title": gettext("Re-deliver %(n)s") % {"n": invoice}, "original": invoice}
        return TemplateResponse(request, "admin/invoices/invoice/redeliver.html", context)


@admin.register(ReissueRequest)
class ReissueRequestAdmin(ReadOnlyAdminMixin, ReadOnlyHistoryAdmin):
    # The request is known by its invoice's number (it has none of its own); that column opens the request.
    list_display = ["original_number", "reason", "scope", "status", "step", "requested_by", "requested_at",
                    "approved_by"]
    list_filter = [ApprovalQueueFilter, "status", "reason", "scope"]
    list_select_related = ["original", "requested_by", "approved_by"]
    ordering = ["requested_at", "id"]  # the approvers' queue: oldest first
    search_fields = ["=original__number"]
    show_full_result_count = False
    fields = ["original_link", "reason", "scope", "red_lines_table", "issue_new", "new_buyer", "new_buyer_name",
              "new_buyer_tax_id", "new_lines_table", "new_remarks", "note", "origin_ref",
              "status", "step", "completion_progress", "failure", "requested_by", "requested_at", "approved_by", "approved_at",
              "decided_reason", "completed_at", "red_letter_form", "red_letter_form_status", "red_invoice",
              "new_invoice"]
    readonly_fields = fields

    @admin.display(description=_("original invoice"), ordering="original__number")
    def original_number(self, obj):
        return str(obj.original)

    @admin.display(description=_("original invoice"))
    def original_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("admin:invoices_invoice_change", args=[obj.original_id]),
                           obj.original)

    @admin.display(description=_("lines to red-flush"))
    def red_lines_table(self, obj):
        return lines_table(
            [gettext("goods or service"), gettext("quantity"), gettext("amount"), gettext("tax")],
            [[r["name"], r["quantity"], r["amount"], r["tax_amount"]]
             for r in red_lines_shown(red_invoice_lines(obj.original, obj.red_lines))])

    @admin.display(description=_("red-letter form status (on the tax platform)"))
    def red_letter_form_status(self, obj):
        form = obj.red_letter_form
        if form is None:
            return "—"
        if form.waiting and form.lapses_at:
            return gettext("%(s)s; void if not confirmed by %(t)s") % {
                "s": form.get_status_display(), "t": timezone.localtime(form.lapses_at).strftime("%Y-%m-%d %H:%M")}
        return form.get_status_display()

    @admin.display(description=_("background progress"))
    def completion_progress(self, obj):
        return completion_progress(obj) or "—"

    @admin.display(description=_("replacement lines"))
    def new_lines_table(self, obj):
        if not obj.new_lines:
            return "—"
        return lines_table(line_headers(), [list(r.values()) for r in new_lines_shown(obj.new_lines)])

    def changelist_view(self, request, extra_context=None):
        # Approvers land on their queue unless they chose a filter.
        if not request.GET and request.user.has_perm("invoices.approve_reissue"):
            return redirect(f"{request.path}?status__exact={ReissueStatus.REQUESTED}")
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:object_id>/decide/", view(self.decide_view), name="invoices_reissuerequest_decide"),
            path("<int:object_id>/act/", view(self.act_view), name="invoices_reissuerequest_act"),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # get_object turns an id that is not a number ("abc") into None, where get_object_or_404 raised ValueError.
        req = self.get_object(request, object_id)
        if req is None:
            raise Http404(_("No such reissue request."))
        user = request.user
        waiting = req.status == ReissueStatus.APPROVED and req.red_letter_form and req.red_letter_form.waiting
        extra_context = {
            **(extra_context or {}),
            "can_decide": req.status == ReissueStatus.REQUESTED and user.has_perm("invoices.approve_reissue")
            and req.requested_by_id != user.pk,
            "can_retry": (req.status in (ReissueStatus.FAILED, ReissueStatus.LAPSED) or completion_stalled(req))
            and user.has_perm("invoices.approve_reissue"),
            "can_check_form": bool(waiting and user.has_perm("invoices.reissue_invoice")),
            "can_withdraw": bool(waiting and req.red_letter_form.status == RedLetterFormStatus.SELLER_ENTERED
                                 and user.has_perm("invoices.reissue_invoice")),
            "can_cancel": req.status == ReissueStatus.REQUESTED and user.has_perm("invoices.reissue_invoice"),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def decide_view(self, request, object_id):
        if not request.user.has_perm("invoices.approve_reissue"):
            raise PermissionDenied
        req = get_object_or_404(ReissueRequest.objects.select_related("original", "requested_by", "new_buyer"),
                                pk=object_id)
        reject_form = RejectForm(request.POST if request.POST.get("action") == "reject" else None)
        if request.method == "POST":
            try:
                if request.POST.get("action") == "approve":
                    done = invoice_reissue_approve(request=req, actor=request.user)
                    done.refresh_from_db()
                    if done.status == ReissueStatus.COMPLETED:
                        self.message_user(request, gettext("The reissue request for invoice %(n)s is approved: %(s)s.")
                                          % {"n": req.original, "s": done.get_status_display()}, messages.SUCCESS)
                    else:
                        self.message_user(request, gettext(
                            "The reissue of invoice %(n)s is approved. The red-letter form, the red invoice and the "
                            "new invoice are being issued in the background; this page shows how far it got.")
                            % {"n": req.original}, messages.INFO)
                    return redirect("admin:invoices_reissuerequest_change", req.pk)
                if reject_form.is_valid():
                    invoice_reissue_reject(request=req, actor=request.user, reason=reject_form.cleaned_data["reason"])
                    self.message_user(request, gettext("The reissue request for invoice %(n)s is rejected.") % {"n": req.original}, messages.SUCCESS)
                    return redirect("admin:invoices_reissuerequest_changelist")
            except (PermissionDenied, Conflict, ValidationError) as exc:
                text = getattr(exc, "detail", None) or " ".join(getattr(exc, "messages", [str(exc)]))
                self.message_user(request, text, messages.ERROR)
                return redirect("admin:invoices_reissuerequest_change", req.pk)
        buyer = req.new_buyer or req.original.buyer
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "req": req,
            "title": gettext("Approve the reissue of invoice %(n)s?") % {"n": req.original}, "original": req.original,
            "red_lines": red_lines_shown(red_invoice_lines(req.original, req.red_lines)),
            "new_lines": new_lines_shown(req.new_lines), "line_headers": line_headers(),
            "original_total": money(req.original.total),
            "new_buyer_name": req.new_buyer_name or buyer.name,
            "new_buyer_tax_id": req.new_buyer_tax_id or buyer.tax_id,
            "own_request": req.requested_by_id == request.user.pk, "reject_form": reject_form,
        }
        return TemplateResponse(request, "admin/invoices/reissuerequest/decide.html", context)

    def act_view(self, request, object_id):
        """Retry a failed request, record the buyer's form confirmation, or cancel."""
        if request.method != "POST":
            raise PermissionDenied
        req = get_object_or_404(ReissueRequest, pk=object_id)
        action, user = request.POST.get("action"), request.user
        try:
            if action == "retry" and user.has_perm("invoices.approve_reissue"):
                done = invoice_reissue_retry(request=req, actor=user)
            elif action == "check_form" and user.has_perm("invoices.reissue_invoice") and req.red_letter_form_id:
                form = red_letter_form_check(form=req.red_letter_form, actor=user)  # 04 queues the completion
                self.message_user(request, gettext("Red-letter form %(n)s on the platform: %(s)s.") % {
                    "n": form.number, "s": form.get_status_display()}, messages.INFO)
                return redirect("admin:invoices_reissuerequest_change", req.pk)
            elif action == "cancel" and user.has_perm("invoices.reissue_invoice"):
                done = invoice_reissue_cancel(request=req, actor=user)
            else:
                raise PermissionDenied
        except (Conflict, ValidationError) as exc:
            text = getattr(exc, "detail", None) or " ".join(exc.messages)
            self.message_user(request, text, messages.ERROR)
        except PlatformUnavailable:
            self.message_user(request, gettext(
                "The tax platform cannot be reached right now; nothing was changed. Try again in a few minutes."),
                messages.ERROR)
        except PlatformRejected as exc:
            self.message_user(request, gettext("The tax platform refused: %(e)s") % {"e": exc.message}, messages.ERROR)
        else:
            self.message_user(request, gettext("The reissue request for invoice %(n)s is now %(s)s.") % {
                "n": req.original, "s": done.get_status_display()}, messages.INFO)
        return redirect("admin:invoices_reissuerequest_change", req.pk)
