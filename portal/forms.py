"""The portal's forms. Labels and messages are the customer's words; every field has a length bound."""
from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import clean_digits, clean_tax_id, parse_amount


class HoneypotMixin(forms.Form):
    """A field people never see (hidden by CSS, skipped by screen readers); form bots fill it in."""

    website = forms.CharField(required=False, max_length=200, label=_("Leave this field empty"))

    def is_bot(self):
        return bool(self.data.get("website"))


class LookupForm(HoneypotMixin):
    number = forms.CharField(label=_("Invoice number"), max_length=40,
                             help_text=_("20 digits for a fully digital e-invoice; 8 digits for a legacy invoice."))
    code = forms.CharField(label=_("Invoice code (legacy invoices only)"), max_length=20, required=False)
    buyer_tax_id = forms.CharField(label=_("Buyer's taxpayer id"), max_length=30)
    total = forms.CharField(label=_("Total incl. tax (¥)"), max_length=30, required=False)
    issued_on = forms.DateField(label=_("Or: issue date"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))

    def clean_number(self):
        number = clean_digits(self.cleaned_data["number"])
        if len(number) not in (8, 20):
            raise forms.ValidationError(_("An invoice number has 20 digits (or 8 for a legacy invoice)."))
        return number

    def clean_code(self):
        code = clean_digits(self.cleaned_data.get("code"))
        if code and len(code) not in (10, 12):
            raise forms.ValidationError(_("An invoice code has 10 or 12 digits."))
        return code

    def clean_buyer_tax_id(self):
        tax_id = clean_tax_id(self.cleaned_data["buyer_tax_id"])
        if not 15 <= len(tax_id) <= 20:
            raise forms.ValidationError(_("A taxpayer id has 15 to 20 characters."))
        return tax_id

    def clean_total(self):
        raw = self.cleaned_data.get("total")
        if not raw:
            return None
        amount = parse_amount(raw)
        if amount is None:
            raise forms.ValidationError(_("Write the total as a number, e.g. 1234.50."))
        return amount

    def clean(self):
        data = super().clean()
        if len(data.get("number") or "") == 8 and not data.get("code"):
            self.add_error("code", _("A legacy invoice is found by its code and number together."))
        if data.get("total") is None and data.get("issued_on") is None and not self.errors:
            self.add_error("total", _("Give the total incl. tax or the issue date."))
        return data


APPEAL_CHOICES = [
    ("not_found", _("I cannot find it in the tax system")),
    ("wrong_details", _("The invoice details are wrong")),
    ("no_file", _("I did not receive the file")),
    ("other", _("Something else")),
]


class AppealForm(HoneypotMixin):
    category = forms.ChoiceField(label=_("What went wrong?"), choices=APPEAL_CHOICES, widget=forms.RadioSelect)
    description = forms.CharField(label=_("Describe the problem"), max_length=2000, widget=forms.Textarea(
        attrs={"rows": 5}))
    numbers_given = forms.CharField(label=_("Invoice number(s) you have"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("Your name"), max_length=100)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    email = forms.EmailField(label=_("Email"), max_length=200, required=False)

    def clean_phone(self):
        phone = self.cleaned_data.get("phone", "").strip()
        if phone and not all(c.isdigit() or c in "+-() " for c in phone):
            raise forms.ValidationError(_("A phone number holds digits, spaces, +, - and brackets only."))
        return phone

    def clean(self):
        data = super().clean()
        if not data.get("phone") and not data.get("email") and "phone" not in self.errors \
                and "email" not in self.errors:
            self.add_error("phone", _("Leave a phone number or an email address so that we can reach you."))
        return data


class MessageForm(HoneypotMixin):
    message = forms.CharField(label=_("Add information"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class SurveyForm(HoneypotMixin):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with how we handled your case?"), coerce=int, widget=forms.RadioSelect,
        choices=[(5, _("5 – very satisfied")), (4, _("4 – satisfied")), (3, _("3 – neutral")),
                 (2, _("2 – dissatisfied")), (1, _("1 – very dissatisfied"))],
    )
    solved = forms.TypedChoiceField(label=_("Was your problem solved?"), widget=forms.RadioSelect,
                                    coerce=lambda v: v == "yes", choices=[("yes", _("Yes")), ("no", _("No"))])
    comment = forms.CharField(label=_("Anything you want to tell us (optional)"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
