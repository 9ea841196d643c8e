"""Forms of the reissue screen. Shape only: the reissue and issue services own the rules."""
from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.utils.translation import gettext_lazy as _

from invoices.ledger.forms import InvoiceLineForm
from invoices.ledger.models import Customer
from invoices.reissue.models import RedFlushReason, ReissueRequest, ReissueScope


class ReissueForm(forms.Form):
    reason = forms.ChoiceField(label=_("reason"), choices=RedFlushReason.choices)
    scope = forms.ChoiceField(label=_("scope"), choices=ReissueScope.choices, initial=ReissueScope.FULL)
    issue_new = forms.BooleanField(label=_("issue a replacement invoice"), required=False, initial=True)
    new_buyer = forms.ModelChoiceField(label=_("new buyer"), queryset=Customer.objects.all(), required=False)
    new_buyer_name = forms.CharField(label=_("new buyer name"), required=False, max_length=200)
    new_buyer_tax_id = forms.CharField(label=_("new buyer tax id"), required=False, max_length=40)
    new_remarks = forms.CharField(label=_("new remarks"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(label=_("why"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, admin_site=None, **kwargs):
        super().__init__(*args, **kwargs)
        if admin_site is not None:
            field = self.fields["new_buyer"]
            field.widget = AutocompleteSelect(ReissueRequest._meta.get_field("new_buyer"), admin_site)
            field.widget.choices = field.choices


class RedLineForm(forms.Form):
    line_no = forms.IntegerField(widget=forms.HiddenInput)
    amount = forms.DecimalField(label=_("amount to red-flush"), required=False, max_digits=16, decimal_places=2)
    quantity = forms.DecimalField(label=_("quantity"), required=False, max_digits=28, decimal_places=13)


# Rows start as the original's lines; any can be removed, and the one empty extra row is ignored unless typed in.
NewLineFormSet = forms.formset_factory(InvoiceLineForm, extra=1, min_num=0, can_delete=True)
RedLineFormSet = forms.formset_factory(RedLineForm, extra=0)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("reason for rejecting"), widget=forms.Textarea(attrs={"rows": 2}))
