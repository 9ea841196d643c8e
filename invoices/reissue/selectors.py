"""Reads of red-letter forms shared by the admin's list, the API and the home page's counts: finance's queues."""
from django.utils.translation import gettext_lazy as _

from invoices.reissue.models import RedLetterForm, RedLetterFormStatus

FORM_QUEUES = [
    ("to_answer", _("entered by the buyer, waiting for our answer")),
    ("to_agree", _("proposed answers waiting for my agreement")),
    ("buyer_to_confirm", _("ours, waiting for the buyer's confirmation")),
]


def buyer_forms_to_answer(queryset=None):
    """Forms the buyer entered on the platform (03) that wait for finance's answer."""
    queryset = RedLetterForm.objects.all() if queryset is None else queryset
    return queryset.filter(entered_by="buyer", status=RedLetterFormStatus.BUYER_ENTERED)


def buyer_forms_to_agree(user, queryset=None):
    """Proposed answers to the buyer's forms that wait for a second person (never one's own proposal)."""
    return buyer_forms_to_answer(queryset).exclude(proposal="").exclude(proposed_by=user)


def forms_waiting_for_buyer(queryset=None):
    """Our forms (02) that wait for the buyer's confirmation in their 税务数字账户."""
    queryset = RedLetterForm.objects.all() if queryset is None else queryset
    return queryset.filter(entered_by="seller", status=RedLetterFormStatus.SELLER_ENTERED)


def red_letter_forms_in_queue(queue, user, queryset=None):
    """One of FORM_QUEUES as `user` sees it; any other value leaves the forms as they are."""
    if queue == "to_answer":
        return buyer_forms_to_answer(queryset)
    if queue == "to_agree":
        return buyer_forms_to_agree(user, queryset)
    if queue == "buyer_to_confirm":
        return forms_waiting_for_buyer(queryset)
    return RedLetterForm.objects.all() if queryset is None else queryset
