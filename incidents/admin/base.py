"""Shared admin helpers: staff-user choices and the one template every workflow form renders with."""
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse


def staff_users():
    return get_user_model().objects.filter(is_staff=True, is_active=True).order_by("username")


def add_service_errors(form, exc):
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def action_view(model_admin, request, *, obj, form, title, perform, success, back_url, intro="", submit=None):
    """Render `form`; on a valid POST call `perform(cleaned_data)` (a service call) and go back."""
    if request.method == "POST" and form.is_valid():
        try:
            perform(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            model_admin.message_user(request, str(exc), messages.ERROR)
            return redirect(back_url)
        else:
            model_admin.message_user(request, success, messages.SUCCESS)
            return redirect(back_url)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title, "subtitle": str(obj), "opts": model_admin.model._meta, "original": obj,
        "form": form, "back_url": back_url, "intro": intro, "media": model_admin.media + form.media, "submit": submit,
    }
    return TemplateResponse(request, "admin/incidents/action_form.html", context)


def guarded_changeform(model_admin, view, request, *args):
    """A service's ValidationError raised while saving (a rule the form could not see) becomes a message,
    not a 500. The admin's own transaction has already rolled back when it reaches here. A service's
    PermissionDenied is left alone: Django answers it with 403."""
    try:
        return view(request, *args)
    except ValidationError as exc:
        model_admin.message_user(request, "; ".join(exc.messages), messages.ERROR)
        return redirect(request.get_full_path())
