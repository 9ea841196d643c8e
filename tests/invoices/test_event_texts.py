"""Invoice events are facts: a code and parameters, rendered in the reader's language wherever they are shown."""
import pytest
from django.urls import reverse
from django.utils import translation

from core.event_texts import TEXTS, fact
from invoices.ledger.models import InvoiceEvent, InvoiceEventKind
from invoices.ledger.services.events import invoice_event_record
from invoices.reissue.services.events import mark_failed
from invoices.reissue.services.reissue import invoice_reissue_reject

from ..event_text_helpers import translated_event_texts
from ..reissue_helpers import blue, request_full

EN = "Reissue requested (01 invoicing error (开票有误))"
ZH = "已申请重开（01 开票有误）"


@pytest.fixture
def requested(seller, customer, finance_user):
    """A reissue requested while English is active: its event names the reason by its code."""
    with translation.override("en"):
        original = blue(seller, customer)
        request = request_full(original, finance_user)
    return original, request


def the_event(original):
    return original.events.get(kind=InvoiceEventKind.REISSUE)


@pytest.mark.django_db
def test_an_event_written_in_english_reads_in_the_readers_language(requested):
    event = the_event(requested[0])
    assert (event.message_code, event.params, event.message) == ("invoice.reissue.requested", {"r": "01"}, "")
    with translation.override("zh-hans"):
        assert event.text == ZH
    with translation.override("en"):
        assert event.text == EN


@pytest.mark.django_db
def test_the_invoice_page_shows_its_events_in_the_readers_language(client, requested, finance_user):
    client.force_login(finance_user)
    url = reverse("admin:invoices_invoice_change", args=[requested[0].pk])
    zh = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()  # the desk is Chinese whatever the browser
    client.cookies["django_language"] = "en"  # the language switch
    en = client.get(url).content.decode()
    assert ZH in zh and EN not in zh
    assert EN in en and ZH not in en


@pytest.mark.django_db
def test_the_api_gives_the_text_in_the_requests_language_with_its_code_and_parameters(api_as, requested,
                                                                                      finance_user):
    client = api_as(finance_user)
    url = f"/api/v1/invoices/{requested[0].pk}/"
    for language, text in (("zh-hans", ZH), ("en", EN)):
        events = client.get(url, HTTP_ACCEPT_LANGUAGE=language).json()["events"]
        reissue = [e for e in events if e["kind"] == "reissue"]
        assert reissue == [{**reissue[0], "message": text, "message_code": "invoice.reissue.requested",
                            "params": {"r": "01"}}]


@pytest.mark.django_db
def test_a_3000_character_reason_is_kept_whole(requested, finance_user2):
    original, request = requested
    reason = "购方名称有误，" * 428 + "请核对。"  # 3,000 characters
    assert len(reason) == 3000
    invoice_reissue_reject(request=request, actor=finance_user2, reason=reason)
    rejected = original.events.get(message_code="invoice.reissue.rejected")
    with translation.override("en"):
        assert rejected.text == f"Reissue rejected: {reason}"
    note = invoice_event_record(invoice=original, kind=InvoiceEventKind.NOTE, message=reason)
    note.refresh_from_db()
    assert note.message == reason


@pytest.mark.django_db
def test_a_failed_request_keeps_its_whole_failure_and_the_event_renders_the_reason_for_its_reader(requested):
    original, request = requested
    error = "平台返回：" + "x" * 2995
    mark_failed(request, actor=None, reason=fact("invoice.reissue.platform_rejected", e=error))
    request.refresh_from_db()
    assert request.failure.endswith(error)
    event = original.events.get(message_code="invoice.reissue.stopped")
    with translation.override("en"):
        assert event.text == f"Reissue stopped at step “not started”: tax platform rejected: {error}"
    with translation.override("zh-hans"):
        assert event.text.startswith("重开在“") and event.text.endswith(error) and "tax platform" not in event.text


@pytest.mark.django_db
def test_a_legacy_row_or_an_unknown_code_shows_its_stored_message_never_json_or_an_id(requested, client,
                                                                                     finance_user):
    original = requested[0]
    legacy = InvoiceEvent.objects.create(invoice=original, kind=InvoiceEventKind.NOTE, message="旧记录：已致电客户")
    gone = InvoiceEvent.objects.create(invoice=original, kind=InvoiceEventKind.NOTE, message_code="invoice.gone",
                                       params={"id": 98765}, message="已停用的说明")
    broken = InvoiceEvent.objects.create(invoice=original, kind=InvoiceEventKind.REISSUE,
                                         message_code="invoice.reissue.rejected", params={"other": 98765})
    nested = InvoiceEvent.objects.create(invoice=original, kind=InvoiceEventKind.REISSUE,
                                         message_code="invoice.reissue.rejected", params={"r": {"x": 98765}})
    with translation.override("en"):
        assert legacy.text == "旧记录：已致电客户"
        assert gone.text == "已停用的说明"
        assert broken.text == nested.text == "reissue"  # the kind, for a row that stored no text
    client.force_login(finance_user)
    page = client.get(reverse("admin:invoices_invoice_change", args=[original.pk]),
                      HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "旧记录：已致电客户" in page and "已停用的说明" in page and "98765" not in page


def test_every_invoice_event_code_has_its_chinese_text():
    codes = [code for code in TEXTS if code.startswith("invoice.")]
    assert len(codes) > 30
    with translation.override("zh-hans"):
        untranslated = [code for code in codes if str(TEXTS[code].template) == _msgid(TEXTS[code].template)]
    assert untranslated == []


def _msgid(template):
    with translation.override(None):
        return str(template)


def test_a_writer_naming_an_unknown_code_or_leaving_out_a_parameter_is_refused():
    with pytest.raises(ValueError, match="unknown"):
        fact("invoice.no_such_code")
    with pytest.raises(ValueError, match=r"\['r'\]"):
        fact("invoice.reissue.rejected")


def test_no_invoice_service_writes_an_event_in_the_writers_language():
    assert translated_event_texts(["invoices", "core", "portal"]) == []
