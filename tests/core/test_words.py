"""Words on a Chinese page: one English word with two meanings gets two msgids (pgettext), no 已 stacked on a label
that already says it, reference data shown in the user's language, the admin's error banner in Chinese."""
import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from incidents.models import (
    CalendarDay,
    Communication,
    CommunicationTemplate,
    DeliveryStatus,
    Incident,
    IncidentEvent,
    IncidentStep,
)
from invoices.ledger.models import Invoice
from invoices.reissue.models import ReissueStatus

from ..incident_helpers import open_incident

pytestmark = pytest.mark.django_db


def zh(value):
    with translation.override("zh-hans"):
        return str(value)


def test_kinds_directions_and_failures_say_what_they_mean():
    invoice_kind = zh(Invoice._meta.get_field("kind").verbose_name)
    assert invoice_kind == "票种"
    for model in (Incident, IncidentEvent, CalendarDay):
        assert zh(model._meta.get_field("kind").verbose_name) != invoice_kind, model
    assert zh(Communication._meta.get_field("direction").verbose_name) != zh(
        Invoice._meta.get_field("direction").verbose_name)
    assert "同步" not in zh(DeliveryStatus.FAILED.label)
    assert "同步" not in zh(ReissueStatus.FAILED.label)


@pytest.mark.parametrize("status", [ReissueStatus.APPROVED, ReissueStatus.COMPLETED])
def test_no_stacked_already(status):
    with translation.override("zh-hans"):
        for msgid in ("Request #%(id)s is already %(s)s.", "Request #%(id)s is already %(s)s (by %(who)s)."):
            text = gettext(msgid) % {"id": 3, "s": status.label, "who": "finance2"}
            assert "已已" not in text and str(status.label) in text


def test_template_names_show_the_language_by_name():
    template = CommunicationTemplate.objects.filter(language="zh-hans", code="apology").get()
    assert zh(template) == "致歉函（简体中文）"
    english = CommunicationTemplate.objects.filter(language="en", code="apology").get()
    assert zh(english) == "致歉函（English）"  # its name translated; the language named as a Chinese desk does


def test_playbook_steps_are_shown_in_the_users_language(client, cs_user):
    incident = open_incident(cs_user, owner=cs_user)
    IncidentStep.objects.create(incident=incident, position=99, title="Inform the customer",
                                help_text="Use a template; log the call or email on this incident.")
    client.force_login(cs_user)
    page = client.get(reverse("admin:incidents_incident_change", args=[incident.pk]),
                      HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "告知客户" in page and "Inform the customer" not in page
    assert zh(IncidentStep.objects.get(position=99)) == "99. 告知客户"


def test_admin_error_banner_is_chinese():
    with translation.override("zh-hans"):
        assert gettext("Please correct the errors below.") == "请修正下面的错误。"
