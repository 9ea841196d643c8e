"""The customer's pages: look an invoice up, appeal, follow the case, answer the survey. No login; each write
is rate-limited per client address, protected by CSRF and a honeypot, and delegated to the incidents services."""
from functools import wraps

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_http_methods

from core.client_address import client_ip
from incidents.links import case_token, incident_from_case_token, incident_from_survey_token
from incidents.selectors import satisfaction_of
from incidents.services.portal import (
    incident_appeal_confirmation_send,
    incident_customer_message_add,
    incident_open_from_appeal,
)
from incidents.services.satisfaction import satisfaction_record
from invoices.files.paper import has_e_files
from invoices.ledger.models import Invoice

from . import case as case_view
from .downloads import invoice_downloads
from .forms import AppealForm, LookupForm, MessageForm, SurveyForm
from .ratelimit import over_limit
from .selectors import invoice_lookup, invoice_portal_status

APPEAL_SALT = "portal.appeal.invoice"
APPEAL_LINK_SECONDS = 24 * 3600


def portal_language(view):
    """Simplified Chinese unless the customer chose English (the language cookie); never the browser's guess."""
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else "zh-hans"
        with translation.override(language):
            request.LANGUAGE_CODE = language
            return view(request, *args, **kwargs)
    return wrapper


def too_many(request):
    return render(request, "portal/429.html", status=429)


def not_found(request):
    return render(request, "portal/link_invalid.html", status=404)


@portal_language
@require_http_methods(["GET", "POST"])
def lookup(request):
    if request.method == "GET":
        return render(request, "portal/lookup.html", {"form": LookupForm()})
    form = LookupForm(request.POST)
    address = client_ip(request)
    if over_limit("lookup_address", address):
        return too_many(request)
    if not form.is_valid():
        return render(request, "portal/lookup.html", {"form": form}, status=400)
    data = form.cleaned_data
    invoice = None if form.is_bot() else invoice_lookup(
        number=data["number"], code=data["code"], buyer_tax_id=data["buyer_tax_id"], total=data["total"],
        issued_on=data["issued_on"])
    if invoice is None:
        # Only wrong guesses spend the budgets: per address and number, and per number from anywhere (legacy
        # numbers with their code). The owner's correct lookup is never refused because someone else guessed.
        number = f"{data['code']}-{data['number']}"
        if over_limit("lookup_address_number", f"{address}|{number}") | over_limit("lookup_number", number):
            return too_many(request)
    # The same work for every answer (no sleeping in a worker): the found invoice's status and links, or a
    # placeholder's, whose queries find nothing.
    shown = invoice if invoice is not None else Invoice(pk=0, number=data["number"], code=data["code"])
    status = invoice_portal_status(shown)
    downloads = invoice_downloads(shown, status)
    context = {"form": form, "searched": True, "invoice": invoice}
    if invoice is not None:
        context.update(status=status, downloads=downloads, paper_original=not has_e_files(invoice),
                       appeal_ref=signing.dumps(invoice.pk, salt=APPEAL_SALT))
    return render(request, "portal/lookup.html", context)


def _appeal_invoice(ref):
    try:
        pk = signing.loads(ref, salt=APPEAL_SALT, max_age=APPEAL_LINK_SECONDS)
    except signing.BadSignature:
        return None
    return Invoice.objects.select_related("buyer", "seller").filter(pk=pk).first()


@portal_language
@require_http_methods(["GET", "POST"])
def appeal(request):
    ref = request.POST.get("ref") or request.GET.get("ref") or ""
    invoice = _appeal_invoice(ref) if ref else None
    if request.method == "GET":
        return render(request, "portal/appeal.html", {"form": AppealForm(), "invoice": invoice, "ref": ref})
    if over_limit("appeal_address", client_ip(request)):
        return too_many(request)
    form = AppealForm(request.POST)
    if form.is_valid() and form.is_bot():
        return render(request, "portal/appeal_done.html", {"reference": None})
    if form.is_valid():
        data = form.cleaned_data
        try:
            incident = incident_open_from_appeal(
                category=data["category"], description=data["description"], contact_name=data["contact_name"],
                phone=data["phone"], email=data["email"], invoice=invoice, numbers_given=data["numbers_given"],
                language=request.LANGUAGE_CODE)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            # An appeal about an invoice already being worked on joined that case: the page says so.
            joined = "joined" if getattr(incident, "appeal_joined", False) else "1"
            return redirect(reverse("portal:case", args=[case_token(incident)]) + f"?new={joined}")
    return render(request, "portal/appeal.html", {"form": form, "invoice": invoice, "ref": ref}, status=400)


@portal_language
@require_http_methods(["GET", "POST"])
def case(request, token):
    incident = incident_from_case_token(token)
    if incident is None:
        return not_found(request)
    form = MessageForm()
    if request.method == "POST" and request.POST.get("action") == "send_confirmation":
        if over_limit("message_address", client_ip(request)):
            return too_many(request)
        try:
            incident_appeal_confirmation_send(incident=incident)
        except ValidationError:
            pass  # already sent, or nothing to send: the page says which
        return redirect(reverse("portal:case", args=[token]) + "?confirmation=1")
    if request.method == "POST":
        if over_limit("message_address", client_ip(request)):
            return too_many(request)
        form = MessageForm(request.POST)
        if form.is_valid() and not form.is_bot():
            try:
                incident_customer_message_add(incident=incident, message=form.cleaned_data["message"])
            except ValidationError as error:
                form.add_error("message", error.message_dict.get("message"))
            else:
                return redirect(reverse("portal:case", args=[token]) + "?sent=1")
    context = case_view.case_context(incident, token)
    context.update(form=form, just_opened=request.GET.get("new") == "1", joined=request.GET.get("new") == "joined", sent=request.GET.get("sent") == "1",
                   confirmation_sent=request.GET.get("confirmation") == "1")
    return render(request, "portal/case.html", context, status=400 if form.errors else 200)


@portal_language
@require_http_methods(["GET", "POST"])
def survey(request, token):
    incident = incident_from_survey_token(token)
    if incident is None:
        return not_found(request)
    answered = satisfaction_of(incident) is not None
    form = SurveyForm()
    if request.method == "POST" and not answered:
        if over_limit("survey_address", client_ip(request)):
            return too_many(request)
        form = SurveyForm(request.POST)
        if form.is_valid() and not form.is_bot():
            data = form.cleaned_data
            try:
                satisfaction_record(incident=incident, rating=data["rating"], solved=data["solved"],
                                    comment=data["comment"])
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages)
            else:
                return redirect(reverse("portal:survey", args=[token]))
    return render(request, "portal/survey.html", {
        "incident": incident, "form": form, "answered": answered,
    }, status=400 if form.errors else 200)
