"""Small forms behind the incident's workflow buttons; each one feeds exactly one service."""
from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import CommunicationTemplate, IncidentStatus, RootCauseCategory
from ..services.incidents import TRANSITIONS
from .names import PersonChoiceField

S = IncidentStatus
# The statuses a desk offers from each status, the usual next step first (the services' TRANSITIONS decide
# what is allowed; this only orders it).
NEXT_STATUSES = {
    S.NEW: [S.INVESTIGATING, S.WAITING_CUSTOMER, S.WAITING_PLATFORM, S.RESOLVED],
    S.INVESTIGATING: [S.WAITING_PLATFORM, S.WAITING_CUSTOMER, S.RESOLVED],
    S.WAITING_CUSTOMER: [S.INVESTIGATING, S.RESOLVED, S.WAITING_PLATFORM],
    S.WAITING_PLATFORM: [S.INVESTIGATING, S.RESOLVED, S.WAITING_CUSTOMER],
    S.RESOLVED: [S.INVESTIGATING],
    S.CLOSED: [S.INVESTIGATING],
}


def next_statuses(status):
    return [s for s in NEXT_STATUSES[S(status)] if s in TRANSITIONS[S(status)]]


class TransitionForm(forms.Form):
    status = forms.ChoiceField(label=_("new status"), choices=[
        (s.value, s.label) for s in IncidentStatus if s != IncidentStatus.CLOSED])

    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    root_cause_category = forms.ModelChoiceField(
        label=_("root-cause category"), required=False, queryset=RootCauseCategory.objects.filter(active=True),
        help_text=_("Required to resolve."))
    root_cause = forms.CharField(label=_("root cause"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text=_("Required to resolve."))
    resolution = forms.CharField(label=_("resolution"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text=_("Required to resolve."))

    def __init__(self, *args, current=None, **kwargs):
        super().__init__(*args, **kwargs)
        if current is not None:
            self.fields["status"].choices = [(s.value, s.label) for s in next_statuses(current)]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("decision"), widget=forms.RadioSelect, choices=[
        ("approve", _("sign off and close")), ("send_back", _("send back for more work"))])
    comment = forms.CharField(label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    message = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 3}))
    at = forms.DateTimeField(label=_("happened at"), required=False,
                             help_text=_("Leave empty for now; e.g. 2025-05-06 14:05 for a call made earlier."))


class StepForm(forms.Form):
    note = forms.CharField(label=_("note"), required=False)


class PreventionStepForm(StepForm):
    """The "review and prevent" step: the prevention action becomes a follow-up of its owner."""

    prevention_action = forms.CharField(label=_("prevention action"), max_length=200,
                                        help_text=_("What stops this from happening again."))
    prevention_owner = PersonChoiceField(label=_("owner"), queryset=None)
    prevention_due_at = forms.DateTimeField(label=_("due at"), help_text=_("e.g. 2026-12-18 17:00"))

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prevention_owner"].queryset = users


class SkipStepForm(forms.Form):
    reason = forms.CharField(label=_("why this step is skipped"), widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("The reviewer reads it before signing the incident off."))


class NotifyForm(forms.Form):
    """Step one picks the template and shows the rendered email; only the confirmed second post sends it."""

    template = forms.ModelChoiceField(label=_("template"), queryset=CommunicationTemplate.objects.filter(active=True))
    confirmed = forms.BooleanField(label=_("confirmed"), required=False, widget=forms.HiddenInput)


class AssignForm(forms.Form):
    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"] = PersonChoiceField(label=_("assignee"), queryset=users)


class MergeForm(forms.Form):
    """合并: which incident carries on; this one becomes its duplicate and is closed with the link."""

    into = forms.CharField(label=_("merge into incident"), max_length=20,
                           help_text=_("The reference of the incident that carries on, e.g. INC-2026-000001."))
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_into(self):
        from ..models import Incident

        reference = self.cleaned_data["into"].strip().upper()
        incident = Incident.objects.filter(reference=reference).first()
        if incident is None:
            raise forms.ValidationError(_("No incident has the reference %(ref)s.") % {"ref": reference})
        return incident
