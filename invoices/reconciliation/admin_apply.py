"""The run page's proposal (what applying would change, and why the file may be the wrong one) and its two
buttons: apply, with a second confirmation and a reason for a probably-wrong file, and revert. Both pages only
parse and call services/apply.py; finance (reconcile_invoices) only, as in the API."""
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from invoices.ledger.models import SyncStatus
from invoices.reconciliation.models import ReconciliationRun, RunStatus
from invoices.reconciliation.services.apply import reconciliation_apply, reconciliation_revert
from invoices.reconciliation.services.proposals import PROPOSED_STATUSES

RECONCILE = "invoices.reconcile_invoices"


def percent(rate):
    return "—" if rate is None else f"{rate * 100:.0f}%"


def warning_texts(run):
    proposal = run.proposal or {}
    foreign = proposal.get("foreign") or {}
    texts = {
        "foreign_majority": _("%(n)s of %(rows)s rows belong to another seller.") % {
            "n": foreign.get("rows", 0), "rows": run.rows_read},
        "low_match_rate": _("Only %(rate)s of the rows match the ledger, where this seller's recent runs matched "
                            "%(recent)s.") % {"rate": percent(proposal.get("match_rate")),
                                              "recent": percent(proposal.get("recent_match_rate"))},
        "no_rows": _("The file has no rows, yet the ledger has %(n)s invoices in the period.") % {
            "n": run.ledger_invoices},
    }
    return [texts[code] for code in proposal.get("warnings", []) if code in texts]


def proposal_html(run):
    """The proposal as a small table: never the stored JSON itself."""
    proposal = run.proposal or {}
    if run.status != RunStatus.DONE or "changes" not in proposal:
        return _("The proposal is ready when the run is done.")
    rows = []
    for status in PROPOSED_STATUSES:
        item = proposal["changes"].get(status, {"count": 0, "samples": []})
        rows.append((_("would become “%(s)s”") % {"s": SyncStatus(status).label}, item["count"],
                     "、".join(item["samples"]) or "—"))
    outside = proposal.get("outside_period") or {}
    rows.append((_("rows outside the period"), outside.get("rows", 0), "、".join(outside.get("samples", [])) or "—"))
    foreign = proposal.get("foreign") or {}
    names = "、".join(f"{s['name']} {s['tax_id']}（{s['rows']}）".strip() for s in foreign.get("sellers", []))
    rows.append((_("rows of another seller"), foreign.get("rows", 0), names or "—"))
    table = format_html(
        '<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>',
        pgettext("proposal table column", "change"), pgettext("proposal table column", "count"), _("for example"),
        format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", rows))
    table = format_html("{}<p>{}</p>", table, _("Match rate: %(rate)s (this seller's recent runs: %(recent)s).") % {
        "rate": percent(proposal.get("match_rate")), "recent": percent(proposal.get("recent_match_rate"))})
    warnings = warning_texts(run)
    if warnings:
        table = format_html('<p class="errornote">{} {}</p>{}', _("Probably the wrong file:"), " ".join(warnings),
                            table)
    return table


def apply_state(run):
    if run.reverted_at:
        return _("Applied on %(a)s by %(by)s, reverted on %(r)s by %(rby)s.") % {
            "a": _when(run.applied_at), "by": run.applied_by, "r": _when(run.reverted_at), "rby": run.reverted_by}
    if run.applied_at:
        text = _("Applied on %(a)s by %(by)s.") % {"a": _when(run.applied_at), "by": run.applied_by}
        return f"{text} {_('Reason: %(r)s') % {'r': run.apply_reason}}" if run.apply_reason else text
    return _("Proposed, not applied: no invoice has changed yet.")


def _when(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


class ApplyForm(forms.Form):
    confirm_wrong_file = forms.BooleanField(
        label=gettext_lazy("I checked: this is the right file, apply it anyway"), required=False)
    reason = forms.CharField(label=gettext_lazy("reason"), max_length=500, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))


class RunApplyAdminMixin:
    def get_urls(self):
        urls = [
            path("<path:object_id>/apply/", self.admin_site.admin_view(self.apply_view),
                 name="invoices_reconciliationrun_apply"),
            path("<path:object_id>/revert/", self.admin_site.admin_view(self.revert_view),
                 name="invoices_reconciliationrun_revert"),
        ]
        return urls + super().get_urls()

    def _run_for(self, request, object_id):
        if not request.user.has_perm(RECONCILE):
            raise PermissionDenied
        if not str(object_id).isdigit():
            raise Http404
        return get_object_or_404(ReconciliationRun.objects.select_related("seller"), pk=object_id)

    def _page(self, request, run, template, title, **more):
        context = {**self.admin_site.each_context(request), "title": title, "opts": self.model._meta,
                   "original": run, "proposal": proposal_html(run), "warnings": warning_texts(run), **more}
        return TemplateResponse(request, template, context)

    def apply_view(self, request, object_id):
        run = self._run_for(request, object_id)
        form = ApplyForm(request.POST if "apply" in request.POST else None)
        if request.method == "POST" and "apply" in request.POST and form.is_valid():
            try:
                result = reconciliation_apply(run=run, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                self.message_user(request, _(
                    "Run %(run)s applied: %(n)d invoices changed, %(later)d left alone because the platform "
                    "confirmed them after the export time.") % {
                        "run": run, "n": result["applied"], "later": result["confirmed_later"]}, messages.SUCCESS)
                return redirect("admin:invoices_reconciliationrun_change", run.pk)
        return self._page(request, run, "admin/invoices/reconciliationrun/apply.html",
                          _("Apply reconciliation run %(run)s") % {"run": run}, form=form)

    def revert_view(self, request, object_id):
        run = self._run_for(request, object_id)
        errors = []
        if request.method == "POST" and "revert" in request.POST:
            try:
                count = reconciliation_revert(run=run, actor=request.user)
            except ValidationError as exc:
                errors = [m for ms in exc.message_dict.values() for m in ms]
            else:
                self.message_user(request, _("Run %(run)s reverted: %(n)d invoices are back to their earlier sync "
                                             "status.") % {"run": run, "n": count}, messages.SUCCESS)
                return redirect("admin:invoices_reconciliationrun_change", run.pk)
        return self._page(request, run, "admin/invoices/reconciliationrun/revert.html",
                          _("Revert reconciliation run %(run)s") % {"run": run}, errors=errors)

    def proposal_table(self, obj):
        return proposal_html(obj)

    proposal_table.short_description = gettext_lazy("proposal")

    def apply_status(self, obj):
        return apply_state(obj)

    apply_status.short_description = gettext_lazy("applied")

    def render_change_form(self, request, context, *args, **kwargs):
        run = context.get("original")
        finance = request.user.has_perm(RECONCILE)
        context.update(
            can_apply=bool(finance and run and run.status == RunStatus.DONE and not run.applied_at),
            can_revert=bool(finance and run and run.applied_at and not run.reverted_at),
        )
        return super().render_change_form(request, context, *args, **kwargs)
