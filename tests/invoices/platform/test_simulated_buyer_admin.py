"""The simulated buyer in the simulator's admin: answering the seller's forms, entering a form, confirming use; and
the credit limits. Only who may operate the simulator (superusers, finance) acts; managers only look."""
from decimal import Decimal

import pytest
from django.urls import reverse

from invoices.ledger.models import SyncStatus
from invoices.platform.gateway import RedLetterFormDraft
from invoices.platform.models import PlatformCredit, PlatformInvoice, PlatformRedLetterForm
from invoices.platform.sim_forms import sim_buyer_mark_used, sim_form_submit

from ... import factories
from ...files_helpers import on_platform

pytestmark = pytest.mark.django_db

CONFIRM, DENY = "以购方身份确认", "以购方身份否认"


def seller_form(key, *, used=True):
    invoice = factories.invoice(sync_status=SyncStatus.NOT_SENT)
    on_platform(invoice)
    if used:
        sim_buyer_mark_used(number=invoice.number)
    draft = RedLetterFormDraft(
        idempotency_key=key, original_number=invoice.number, original_code="", seller_tax_id=invoice.seller.tax_id,
        buyer_tax_id=invoice.buyer_tax_id, reason="01", amount=-invoice.amount, tax_amount=-invoice.tax_amount,
    )
    form, _created = sim_form_submit(draft.to_payload(), key)
    return form


def answer(client, form, accept):
    url = reverse("admin:invoices_platformredletterform_buyer_answer", args=[form.pk])
    return client.post(url, {"accept": "1" if accept else "0"}, follow=True)


def test_superuser_confirms_and_denies_a_waiting_form_as_the_buyer(admin_client):
    confirmed, denied = seller_form("a"), seller_form("b")
    assert confirmed.status == "02"
    page = admin_client.get(reverse("admin:invoices_platformredletterform_change", args=[confirmed.pk])).content
    assert CONFIRM in page.decode() and DENY in page.decode()
    response = answer(admin_client, confirmed, True)
    assert f"确认单 {confirmed.number} 现为 04 购销双方已确认" in response.content.decode()
    assert answer(admin_client, denied, False).status_code == 200
    assert dict(PlatformRedLetterForm.objects.values_list("number", "status")) == {
        confirmed.number: "04", denied.number: "05"}
    # Answered: no more buttons, and a second answer is refused with the platform's reason.
    page = admin_client.get(reverse("admin:invoices_platformredletterform_change", args=[confirmed.pk])).content
    assert CONFIRM not in page.decode()
    assert "不能确认或否认" in answer(admin_client, confirmed, False).content.decode()
    assert PlatformRedLetterForm.objects.get(pk=confirmed.pk).status == "04"
    listing = admin_client.get(reverse("admin:invoices_platformredletterform_changelist")).content.decode()
    assert "04 购销双方已确认" in listing and "05 作废（销方录入购方否认）" in listing


def test_a_form_that_needs_no_confirmation_has_no_buttons(admin_client):
    form = seller_form("c", used=False)
    assert form.status == "01"
    page = admin_client.get(reverse("admin:invoices_platformredletterform_change", args=[form.pk])).content.decode()
    assert CONFIRM not in page and "01 无需确认" in page and "¥-" not in page and "-¥100.00" in page


def test_finance_answers_managers_and_reps_do_not(client, finance_user, manager_user, cs_user):
    form = seller_form("d")
    change = reverse("admin:invoices_platformredletterform_change", args=[form.pk])
    client.force_login(manager_user)
    page = client.get(change)
    assert page.status_code == 200 and CONFIRM not in page.content.decode()
    assert answer(client, form, True).status_code == 403
    client.force_login(cs_user)
    assert client.get(change).status_code == 403
    client.force_login(finance_user)
    assert CONFIRM in client.get(change).content.decode()
    answer(client, form, True)
    assert PlatformRedLetterForm.objects.get(pk=form.pk).status == "04"


def test_invoice_actions_enter_a_form_and_confirm_use(admin_client, manager_user, client):
    invoice = factories.invoice(sync_status=SyncStatus.NOT_SENT)
    record = on_platform(invoice)
    changelist = reverse("admin:invoices_platforminvoice_changelist")
    client.force_login(manager_user)
    client.post(changelist, {"action": "buyer_mark_used", "_selected_action": [record.pk]})
    assert PlatformInvoice.objects.get(pk=record.pk).buyer_confirmed_use_at is None

    response = admin_client.post(changelist, {"action": "buyer_mark_used", "_selected_action": [record.pk]},
                                 follow=True)
    assert "已标记 1 张发票购方已用途确认" in response.content.decode()
    assert PlatformInvoice.objects.get(pk=record.pk).buyer_confirmed_use_at is not None
    response = admin_client.post(changelist, {"action": "buyer_enter_form", "_selected_action": [record.pk]},
                                 follow=True)
    form = PlatformRedLetterForm.objects.get(original_number=invoice.number)
    assert (form.entered_by, form.status, form.amount) == ("buyer", "03", -invoice.amount)
    assert f"录入红字发票信息确认单 {form.number}" in response.content.decode()
    # A second full form would flush the invoice twice: the platform's reason is shown, nothing is stored.
    response = admin_client.post(changelist, {"action": "buyer_enter_form", "_selected_action": [record.pk]},
                                 follow=True)
    assert "平台未受理该确认单" in response.content.decode()
    assert PlatformRedLetterForm.objects.count() == 1


def test_finance_sets_a_credit_limit(client, finance_user):
    client.force_login(finance_user)
    add = reverse("admin:invoices_platformcredit_add")
    bad = client.post(add, {"seller_tax_id": "91110108MA0000000X", "total": "-1"})
    assert bad.status_code == 200 and bad.context["adminform"].form.errors["total"]
    assert client.post(add, {"seller_tax_id": " 91110108ma0000000x ", "total": "5000"}).status_code == 302
    row = PlatformCredit.objects.get()
    assert (row.seller_tax_id, row.total, row.used) == ("91110108MA0000000X", Decimal("5000.00"), 0)
    change = reverse("admin:invoices_platformcredit_change", args=[row.pk])
    assert client.post(change, {"total": "800.50"}).status_code == 302
    assert PlatformCredit.objects.get().total == Decimal("800.50")
    assert "¥800.50" in client.get(reverse("admin:invoices_platformcredit_changelist")).content.decode()
