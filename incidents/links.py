"""Signed links a customer receives: the case page and the satisfaction survey of one incident.

Each token is single-purpose (its own salt) and expires (settings PORTAL_CASE_LINK_DAYS, default 90, and
PORTAL_SURVEY_LINK_DAYS, default 30). The portal app serves the pages; the URLs are reversed by name so this
module does not import it."""
from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import Incident

CASE_SALT = "incidents.portal.case"
SURVEY_SALT = "incidents.portal.survey"


def _days(name, default):
    return int(getattr(settings, name, default))


def case_token(incident):
    return signing.dumps({"i": incident.pk, "r": incident.reference}, salt=CASE_SALT, compress=True)


def survey_token(incident):
    return signing.dumps({"i": incident.pk, "r": incident.reference}, salt=SURVEY_SALT, compress=True)


def _load(token, salt, days):
    """The incident a token names, or None when it is tampered with, expired or names nothing."""
    try:
        data = signing.loads(token, salt=salt, max_age=days * 86400)
    except signing.BadSignature:  # SignatureExpired is a BadSignature too
        return None
    if not isinstance(data, dict):
        return None
    return Incident.objects.filter(pk=data.get("i"), reference=data.get("r")).select_related("customer").first()


def incident_from_case_token(token):
    return _load(token, CASE_SALT, _days("PORTAL_CASE_LINK_DAYS", 90))


def incident_from_survey_token(token):
    return _load(token, SURVEY_SALT, _days("PORTAL_SURVEY_LINK_DAYS", 30))


def absolute(path):
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def case_url(incident):
    return absolute(reverse("portal:case", args=[case_token(incident)]))


def survey_url(incident):
    return absolute(reverse("portal:survey", args=[survey_token(incident)]))
