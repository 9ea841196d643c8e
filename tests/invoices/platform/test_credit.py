"""The seller's credit limit (授信额度) on the platform: a CREDIT_EXCEEDED refusal is its own cause on the invoice and
its own incident, a person re-syncs once the limit is raised; the hourly credit check warns finance once per low
spell by email and on the home page, with the figures of the stored reading."""
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from core.admin.written import money
from core.event_texts import render
from core.jobs.models import Job, JobStatus
from core.jobs.runner import run_scheduled
from incidents.models import Incident, IncidentCategory, Playbook, StaffEmail, StaffEmailPurpose
from invoices.ledger.models import InvoiceEventKind, SyncStatus
from invoices.next_step import invoice_next_steps
from invoices.platform.gateway import CREDIT_EXCEEDED, PlatformUnavailable
from invoices.platform.models import CreditReading, SyncOutcome, SyncState
from invoices.platform.services.credit import credit_check
from invoices.platform.services.sync import invoice_sync_request, invoices_sync_sweep
from invoices.platform.sim_credit import sim_credit_set
from invoices.platform.simulator import sim_settings_row

from ... import factories
from ...conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def issue(django_capture_on_commit_callbacks, seller, customer):
    """Issue an invoice of `amount` (before tax) and run what its commit starts: the upload, and on a failure the
    incidents app's job."""
    def _issue(amount, seller_obj=seller):
        with django_capture_on_commit_callbacks(execute=True):
            invoice = factories.invoice(seller_obj=seller_obj, buyer=customer, lines=[factories.line(amount)])
        invoice.refresh_from_db()
        return invoice
    return _issue


@pytest.fixture
def finance(django_user_model):
    user = make_user(django_user_model, "fin-credit", "财务", email="caiwu@example.cn")
    make_user(django_user_model, "fin-no-mail", "财务")  # no address: nobody to write to
    make_user(django_user_model, "cs-credit", "客服", email="kefu@example.cn")  # not finance: not told
    return user


def failure_event(invoice):
    return invoice.events.filter(kind=InvoiceEventKind.SYNC_FAILED).get()


# --- CREDIT_EXCEEDED on an upload ------------------------------------------------------------------------------
def test_credit_exceeded_is_its_own_cause_and_incident(issue, seller, finance):
    sim_credit_set(seller.tax_id, "150.00")
    first = issue("100.00")
    assert first.sync_status == SyncStatus.SYNCED
    refused = issue("100.00")  # 200 > 150

    assert refused.sync_status == SyncStatus.FAILED
    attempt = refused.sync_attempts.get()
    assert (attempt.outcome, attempt.error_code) == (SyncOutcome.REJECTED, CREDIT_EXCEEDED)
    event = failure_event(refused)
    assert event.message_code == "invoice.sync.credit_exceeded"
    text = render(event)
    assert text.startswith("Credit limit used up: the seller's monthly credit limit") and "发票额度不足" in text
    with translation.override("zh-hans"):
        assert render(event).startswith("授信额度不足")
    step = invoice_next_steps(refused, finance)[0]
    assert step.text.startswith("Credit limit used up") and step.action == "sync"

    incident = Incident.objects.get(category=IncidentCategory.CREDIT_EXCEEDED)
    assert incident.seller == seller and list(incident.invoices.all()) == [refused]
    assert incident.source_key == f"credit_exceeded:{seller.pk}:{timezone.localdate().isoformat()}"
    assert not Incident.objects.filter(category=IncidentCategory.SYNC_FAILURE).exists()
    # The new category has its playbook: the incident opened with its steps.
    assert Playbook.objects.filter(category=IncidentCategory.CREDIT_EXCEEDED).exists()
    assert incident.steps.count() == Playbook.objects.get(category=IncidentCategory.CREDIT_EXCEEDED).steps.count() > 0

    # A second refusal the same day joins the same incident.
    again = issue("100.00")
    assert again.sync_status == SyncStatus.FAILED
    assert Incident.objects.filter(category=IncidentCategory.CREDIT_EXCEEDED).count() == 1
    assert set(incident.invoices.values_list("pk", flat=True)) == {refused.pk, again.pk}


def test_a_refused_upload_waits_for_a_person_then_goes_through_once_the_limit_is_raised(issue, seller, finance,
                                                                                      run_hooks):
    sim_credit_set(seller.tax_id, "50.00")
    refused = issue("100.00")
    assert refused.sync_status == SyncStatus.FAILED
    # No automatic retry hammers the platform: nothing is due, and the sweep queues nothing.
    state = SyncState.objects.get(invoice=refused)
    assert state.next_attempt_at is None and not state.gave_up
    assert run_hooks(invoices_sync_sweep) == 0
    assert refused.sync_attempts.count() == 1

    sim_credit_set(seller.tax_id, "1000.00")  # the tax bureau raised the limit
    run_hooks(invoice_sync_request, invoice_id=refused.pk, actor=finance, reason="授信额度已调增")
    refused.refresh_from_db()
    assert refused.sync_status == SyncStatus.SYNCED
    assert refused.sync_attempts.filter(outcome=SyncOutcome.ACCEPTED).count() == 1


def test_other_refusals_stay_a_generic_sync_failure(issue, seller, finance):
    row = sim_settings_row()
    row.rejected_tax_ids = seller.tax_id
    row.save()
    refused = issue("100.00")
    assert failure_event(refused).message_code == "invoice.sync.rejected"
    assert not invoice_next_steps(refused, finance)[0].text.startswith("Credit limit")
    assert Incident.objects.get().category == IncidentCategory.SYNC_FAILURE


# --- the credit check ------------------------------------------------------------------------------------------
def home_credit(client):
    response = client.get("/admin/")
    assert response.status_code == 200
    with translation.override("en"):
        for _title, cards in response.context["sections"]:
            for card in cards:
                if str(card.title) == "Credit limits on the tax platform":
                    return card
    raise AssertionError("the finance home page has no credit card")


def credit_emails():
    return [m for m in mail.outbox if "caiwu@example.cn" in m.to]


def test_credit_check_warns_finance_once_per_low_spell(client, issue, seller, finance, run_hooks):
    sim_credit_set(seller.tax_id, "100000.00")
    other = factories.seller()  # plenty of credit: never on the warning list
    issue("87655.00")
    run_hooks(credit_check)
    reading = CreditReading.objects.get(seller=seller)
    assert (reading.total, reading.used, reading.remaining) == (Decimal("100000.00"), Decimal("87655.00"),
                                                                 Decimal("12345.00"))
    assert not reading.low and reading.warned_at is None  # 12 % left: above the 10 % line
    assert CreditReading.objects.filter(seller=other, low=False).exists()
    assert not mail.outbox

    issue("3000.00")
    run_hooks(credit_check)
    reading.refresh_from_db()
    assert reading.low and reading.remaining == Decimal("9345.00") and reading.warned_at is not None
    [email] = mail.outbox
    assert email.to == ["caiwu@example.cn"]
    assert StaffEmail.objects.get().purpose == StaffEmailPurpose.CREDIT_LOW
    assert seller.name in email.subject
    assert money(reading.remaining) == "¥9,345.00" and "¥9,345.00" in email.body and "¥100,000.00" in email.body
    assert "（9%）" in email.body  # in the site's language (LANGUAGE_CODE), whoever triggered the check

    client.force_login(finance)
    card = home_credit(client)
    [(label, url, _note, urgent)] = card.items
    # The figures on the page are the stored reading's.
    assert urgent and "授信额度即将用尽" in label and seller.name in label
    assert f"剩余 {money(reading.remaining)} / {money(reading.total)}（{reading.remaining_percent}%）" in label
    assert url == reverse("admin:invoices_creditreading_change", args=[reading.pk])
    assert client.get(url).status_code == 200  # finance may view the reading
    [row] = card.rows
    assert str(row.count) == "1" and row.urgent
    listed = client.get(row.url)
    assert listed.status_code == 200
    assert [r.pk for r in listed.context["cl"].result_list] == [reading.pk]

    # Still low an hour later: no second email.
    run_hooks(credit_check)
    assert len(mail.outbox) == 1 and StaffEmail.objects.count() == 1

    # The tax bureau raised the limit: the warning is gone, and the spell is over.
    sim_credit_set(seller.tax_id, "200000.00")
    run_hooks(credit_check)
    reading.refresh_from_db()
    assert not reading.low and reading.warned_at is None and reading.remaining == Decimal("109345.00")
    card = home_credit(client)
    assert not card.items and str(card.rows[0].count) == "0"

    # A new low spell warns again.
    sim_credit_set(seller.tax_id, "100000.00")
    run_hooks(credit_check)
    assert len(mail.outbox) == 2


def test_the_warning_share_is_a_setting(settings, issue, seller, finance, run_hooks):
    settings.PLATFORM_CREDIT_WARN_SHARE = Decimal("0.15")
    sim_credit_set(seller.tax_id, "100000.00")
    issue("87655.00")  # 12 % left: below 15 %
    run_hooks(credit_check)
    assert CreditReading.objects.get(seller=seller).low
    assert len(credit_emails()) == 1


def test_an_unavailable_platform_fails_the_check_for_the_spine_to_retry(seller, run_hooks):
    row = sim_settings_row()
    row.outage = True
    row.save()
    with pytest.raises(PlatformUnavailable):
        credit_check()
    run_scheduled("platform.credit_check")
    job = Job.objects.get(name="platform.credit_check")
    assert job.status == JobStatus.QUEUED and job.next_try_at is not None
    assert "PlatformUnavailable" in job.last_error
    assert not CreditReading.objects.exists()



def test_the_invoice_page_says_why_in_finances_words(client, issue, seller, finance):
    sim_credit_set(seller.tax_id, "10.00")
    refused = issue("100.00")
    client.force_login(finance)
    page = client.get(reverse("admin:invoices_invoice_change", args=[refused.pk]),
                      HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "授信额度不足：销售方本月在税务平台的授信额度已用完" in page  # the event and the next step
    assert "请向税务机关申请调增额度后重新同步" in page and "Credit limit used up:" not in page
