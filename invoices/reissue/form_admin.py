"""红字确认单: the copies of the platform's forms, and finance's queue of the forms buyers entered (03), answered by
two people: one proposes to confirm or deny, another agrees (or sends it back)."""
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin.readonly import ReadOnlyAdminMixin
from core.admin.written import money
from core.api_errors import Conflict
from invoices.reissue.models import FormProposal, RedLetterForm, RedLetterFormStatus
from invoices.reissue.selectors import FORM_QUEUES, red_letter_forms_in_queue
from invoices.reissue.services.buyer_forms import buyer_form_agree, buyer_form_propose, buyer_form_send_back


class FormQueueFilter(admin.SimpleListFilter):
    """Finance's two queues of the buyer's forms: to answer, and proposals waiting for a second person."""

    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return FORM_QUEUES

    def queryset(self, request, queryset):
        return red_letter_forms_in_queue(self.value(), request.user, queryset)


class ProposalForm(forms.Form):
    issue_new = forms.BooleanField(label=_("the buyer asks for a new invoice after the red one"), required=False)
    note = forms.CharField(label=_("note (required to deny)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


@admin.register(RedLetterForm)
class RedLetterFormAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["number", "original", "reason", "status", "entered_by", "red_total", "created_at", "lapses_at",
                    "proposal"]
    list_filter = [FormQueueFilter, "status", "entered_by", "reason"]
    list_select_related = ["original"]
    search_fields = ["=number", "=original__number"]
    fields = ["number", "original", "reason", "status", "entered_by", "amount", "tax_amount", "created_at",
              "lapses_at", "confirmed_at", "checked_at", "reminded_at", "proposal", "proposal_issue_new",
              "proposal_note", "proposed_by", "proposed_at", "answered_by", "answered_at"]
    readonly_fields = fields
    change_form_template = "admin/invoices/redletterform/change_form.html"

    @admin.display(description=_("red total"))
    def red_total(self, obj):
        return money(obj.amount + obj.tax_amount)

    def get_urls(self):
        return [path("<int:object_id>/answer/", self.admin_site.admin_view(self.answer_view),
                     name="invoices_redletterform_answer")] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        form = self.get_object(request, object_id)
        user = request.user
        answerable = bool(form and form.entered_by == "buyer" and form.status == RedLetterFormStatus.BUYER_ENTERED
                          and user.has_perm("invoices.reissue_invoice"))
        extra_context = {
            **(extra_context or {}),
            "can_propose": answerable and not form.proposal,
            "can_agree": answerable and bool(form.proposal) and form.proposed_by_id != user.pk,
            "own_proposal": answerable and bool(form.proposal) and form.proposed_by_id == user.pk,
            "proposal_form": ProposalForm(),
            "red_total": money(form.amount + form.tax_amount) if form else "",
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def answer_view(self, request, object_id):
        if request.method != "POST" or not request.user.has_perm("invoices.reissue_invoice"):
            raise PermissionDenied
        form = get_object_or_404(RedLetterForm, pk=object_id)
        action, user = request.POST.get("action"), request.user
        data = ProposalForm(request.POST)
        data.is_valid()
        try:
            if action in ("accept", "refuse"):
                buyer_form_propose(form=form, actor=user, accept=action == "accept",
                                   issue_new=data.cleaned_data.get("issue_new", False),
                                   note=data.cleaned_data.get("note", ""))
                text = gettext("Your proposal for red-letter form %(n)s is recorded; a colleague must agree before "
                               "the answer goes to the tax platform.")
            elif action == "agree":
                buyer_form_agree(form=form, actor=user)
                form.refresh_from_db()
                text = (gettext("Agreed: red-letter form %(n)s will be confirmed on the tax platform, then the red "
                                "invoice issued; the reissue request shows how far it got.")
                        if form.proposal == FormProposal.ACCEPT else
                        gettext("Agreed: red-letter form %(n)s will be denied on the tax platform."))
            elif action == "send_back":
                buyer_form_send_back(form=form, actor=user)
                text = gettext("The proposal for red-letter form %(n)s was sent back to the queue.")
            else:
                raise PermissionDenied
        except (Conflict, ValidationError) as exc:
            self.message_user(request, getattr(exc, "detail", None) or " ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(request, text % {"n": form.number}, messages.SUCCESS)
        return redirect("admin:invoices_redletterform_change", form.pk)
