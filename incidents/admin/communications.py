from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin.fastlist import FastChangeListMixin
from core.paginator import EstimatedCountPaginator

from ..models import Channel, Communication, CommunicationDirection, DeliveryStatus
from ..selectors import visible_communications
from ..services.communications import (
    communication_log,
    communication_retry,
    communication_send_email,
)
from .base import guarded_changeform
from .names import person


class CommunicationForm(forms.ModelForm):
    send_now = forms.BooleanField(
        label=_("send this email now"), required=False,
        help_text=_("For outbound email: renders the template (if chosen) and sends it through the mail server."),
    )

    class Meta:
        model = Communication
        fields = ["customer", "incident", "invoice", "channel", "direction", "occurred_at", "contact", "subject",
                  "body", "template", "callback_at"]


@admin.register(Communication)
class CommunicationAdmin(FastChangeListMixin, admin.ModelAdmin):
    form = CommunicationForm
    list_display = ["occurred_at", "customer", "channel", "direction", "subject", "delivery_status", "incident",
                    "created_by_name"]
    list_filter = ["delivery_status", "channel", "direction"]
    list_select_related = ["customer", "incident", "created_by"]
    search_fields = ["subject", "contact"]
    # Incidents picked by reference and invoices by number, never by database id.
    autocomplete_fields = ["customer", "incident", "invoice"]
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    actions = ["retry_failed"]

    def get_queryset(self, request):
        return visible_communications(request.user, super().get_queryset(request))

    def get_fields(self, request, obj=None):
        if obj is None:
            return list(CommunicationForm.Meta.fields) + ["send_now"]
        return list(CommunicationForm.Meta.fields) + [
            "attachment_list", "delivery_status", "delivery_attempts", "delivery_error", "next_attempt_at", "sent_at",
            "created_by"]

    @admin.display(description=_("logged by"), ordering="created_by__first_name")
    def created_by_name(self, obj):
        return person(obj.created_by, "-")

    @admin.display(description=_("attachments"))
    def attachment_list(self, obj):
        return ", ".join(obj.attachment_names) or "—"

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        # A communication is a record of what was said; it is not edited afterwards.
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        common = {k: data.get(k) for k in ("customer", "incident", "invoice")}
        if data.get("send_now"):
            saved = communication_send_email(actor=request.user, template=data.get("template"),
                                             subject=data.get("subject") or "", body=data.get("body") or "",
                                             to=data.get("contact") or None, **common)
        else:
            saved = communication_log(
                actor=request.user, channel=data["channel"], direction=data["direction"],
                occurred_at=data.get("occurred_at"), contact=data.get("contact") or "",
                subject=data.get("subject") or "", body=data.get("body") or "", template=data.get("template"),
                callback_at=data.get("callback_at"), **common)
        obj.pk = saved.pk

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return guarded_changeform(self, super().changeform_view, request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        if obj is not None:
            return form_class

        class Checked(form_class):
            def clean(inner):
                data = super().clean()
                if data.get("send_now") and not (data.get("channel") == Channel.EMAIL
                                                 and data.get("direction") == CommunicationDirection.OUTBOUND):
                    inner.add_error("send_now", _("Only an outbound email can be sent."))
                if data.get("send_now") and data.get("customer") and not (data.get("contact") or data["customer"].email):
                    inner.add_error("contact", _("The customer has no email address; enter one here."))
                if data.get("send_now") and not (data.get("template") or data.get("subject")):
                    inner.add_error("subject", _("An email needs a subject or a template."))
                occurred, callback = data.get("occurred_at"), data.get("callback_at")
                if occurred and callback and callback <= occurred:
                    inner.add_error("callback_at", _("The promised callback must be after the contact."))
                return data

        return Checked

    @admin.action(description=_("Send failed emails again"), permissions=["add"])
    def retry_failed(self, request, queryset):
        done = 0
        for comm in queryset.filter(delivery_status=DeliveryStatus.FAILED):
            try:
                communication_retry(communication=comm, actor=request.user)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, f"{comm}: {exc}", messages.ERROR)
            else:
                done += 1
        self.message_user(request, ngettext("%(n)d email queued again.", "%(n)d emails queued again.", done)
                          % {"n": done}, messages.SUCCESS)

