"""Forms for the issue screen. They check shape; the issue service checks the tax rules and its
ValidationError is mapped back onto these forms."""
from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.utils.translation import gettext_lazy as _

from invoices.ledger.models import Customer, Invoice, InvoiceKind, Seller, ZeroRateFlag
from invoices.ledger.money import TAX_RATES, rate_label


class InvoiceIssueForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=InvoiceKind.choices)
    seller = forms.ModelChoiceField(label=_("seller"), queryset=Seller.objects.all())
    buyer = forms.ModelChoiceField(label=_("buyer"), queryset=Customer.objects.all())
    code = forms.CharField(label=_("invoice code"), required=False, help_text=_("Legacy invoices only."))
    number = forms.CharField(
        label=_("invoice number"), required=False, help_text=_("Leave empty to allocate the next 数电 number.")
    )
    issued_at = forms.DateTimeField(label=_("issued at"), required=False, help_text=_("Empty means now."))
    drawer = forms.CharField(label=_("drawer"), required=False, max_length=50)
    remarks = forms.CharField(label=_("remarks"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, admin_site=None, **kwargs):
        super().__init__(*args, **kwargs)
        if admin_site is not None:
            buyer = self.fields["buyer"]
            buyer.widget = AutocompleteSelect(Invoice._meta.get_field("buyer"), admin_site)
            # A widget set after field creation must be given the field's choice iterator itself.
            buyer.widget.choices = buyer.choices


class RateChoiceField(forms.TypedChoiceField):
    """The select shows its first rate even on an empty row, and a browser posts it. With that rate as the initial
    value, and nothing posted counting as untouched too, an extra row left alone stays unchanged (and is skipped)
    instead of failing as a half-filled line."""

    def has_changed(self, initial, data):
        if data in (None, ""):
            return False
        return super().has_changed(initial, data)


class InvoiceLineForm(forms.Form):
    name = forms.CharField(label=_("goods or service"), max_length=200)
    tax_code = forms.CharField(label=_("tax classification code"), required=False, max_length=19)
    spec = forms.CharField(label=_("specification"), required=False, max_length=100)
    unit = forms.CharField(label=_("unit"), required=False, max_length=20)
    quantity = forms.DecimalField(label=_("quantity"), required=False, max_digits=28, decimal_places=13)
    unit_price = forms.DecimalField(label=_("unit price"), required=False, max_digits=28, decimal_places=13)
    amount = forms.DecimalField(label=_("amount"), max_digits=16, decimal_places=2)
    tax_rate = RateChoiceField(
        label=_("tax rate"), choices=[(str(r), rate_label(r)) for r in TAX_RATES], coerce=str,
        initial=str(TAX_RATES[0]),
    )
    zero_rate_flag = forms.ChoiceField(
        label=_("zero-rate flag"), required=False, choices=ZeroRateFlag.choices,
        help_text=_("A 0% line says why: 免税, 不征税 or 出口零税率."),
    )
    tax_amount = forms.DecimalField(
        label=_("tax"), required=False, max_digits=16, decimal_places=2, help_text=_("Empty: computed.")
    )


InvoiceLineFormSet = forms.formset_factory(InvoiceLineForm, extra=3, min_num=1, validate_min=True)


def rate_choice(value):
    """The tax-rate select's value for a stored rate (0.0600 -> "0.06", 0.00 -> "0.00"), or "" when none fits."""
    for choice in TAX_RATES:
        if value is not None and choice == value:
            return str(choice)
    return ""
