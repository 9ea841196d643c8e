"""Platform checks against the real simulator server on loopback: the listing read page by page, compared with the
ledger by the reconciliation's rules, applied only once every page was read. Transactional: the server thread
writes with its own connection, and every job runs when its transaction commits (the test settings' sync cluster)."""
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_q.models import Schedule

from core.jobs.schedules import scheduled_job
from incidents.models import Incident, IncidentCategory, IncidentEvent, IncidentStatus
from invoices.ledger.models import Invoice, InvoiceEvent, SyncStatus
from invoices.platform.gateway import invoice_payload
from invoices.platform.models import PlatformInvoice, PlatformSettings
from invoices.platform.server import PlatformHandler
from invoices.platform.simulator import sim_receive
from invoices.reconciliation.models import (
    CheckOrigin,
    DiscrepancyKind,
    PlatformCheck,
    PlatformCheckFinding,
    PlatformCheckSeen,
    RunStatus,
)
from invoices.reconciliation.services.platform_check import CheckAlreadyActive, platform_check_start
from invoices.reconciliation.services.platform_check_schedule import platform_checks_queue

from ... import factories
from ...files_helpers import on_platform
from ...sync_helpers import live_platform  # noqa: F401  (fixture)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def small_pages(settings):
    settings.PLATFORM_CHECK_PAGE_SIZE = 2


def synced(seller, n):
    """n invoices the ledger holds as synced, each on the simulated platform."""
    invoices = [factories.invoice(seller_obj=seller, sync_status=SyncStatus.SYNCED) for _ in range(n)]
    for invoice in invoices:
        on_platform(invoice)
    return invoices


def states(invoices):
    return [Invoice.objects.get(pk=i.pk).sync_status for i in invoices]


def start(seller, **kwargs):
    today = timezone.localdate()
    check = platform_check_start(seller=seller, issued_from=today, issued_to=today, **kwargs)
    return PlatformCheck.objects.get(pk=check.pk)


def test_vanished_invoices_are_found_reuploaded_and_held_by_one_incident(live_platform, small_pages):
    seller = factories.seller()
    invoices = synced(seller, 7)
    vanished, differing, untouched = invoices[:2], invoices[2], invoices[3:]
    PlatformInvoice.objects.filter(number__in=[i.number for i in vanished]).delete()
    PlatformInvoice.objects.filter(number=differing.number).update(total=Decimal("120.00"))
    stranger = factories.invoice(seller_obj=seller, sync_status=SyncStatus.SYNCED)
    sim_receive({**invoice_payload(stranger), "number": "26117000000099999999"})  # a number the ledger lacks
    on_platform(stranger)
    before = {i.pk: Invoice.objects.get(pk=i.pk).sync_status for i in untouched}
    uploads_before = {p.number: p.uploads for p in PlatformInvoice.objects.all()}

    check = start(seller)

    assert check.status == RunStatus.DONE and check.error == ""
    assert check.counts["pages"] == 4 and check.counts["listed"] == 7  # 5 of the ledger's kept + 2 of stranger's
    assert check.counts["missing_on_platform"] == 2 and check.counts["amount_mismatch"] == 1
    assert check.counts["missing_in_ledger"] == 1 and check.counts["matched"] == 5
    # Found, marked missing, uploaded again at once through the normal sync, and synced: once each on the platform.
    assert states(vanished) == [SyncStatus.SYNCED, SyncStatus.SYNCED]
    for invoice in vanished:
        assert PlatformInvoice.objects.get(number=invoice.number).uploads == 1
        codes = list(InvoiceEvent.objects.filter(invoice=invoice).order_by("id").values_list("message_code", flat=True))
        assert codes[-3:] == ["invoice.platform_check.missing", "invoice.sync.requested", "invoice.sync.on_platform"]
    # The differing one is flagged and not rewritten, on either side.
    assert states([differing]) == [SyncStatus.MISMATCH]
    assert Invoice.objects.get(pk=differing.pk).total == Decimal("113.00")
    assert PlatformInvoice.objects.get(number=differing.number).total == Decimal("120.00")
    finding = PlatformCheckFinding.objects.get(check_run=check, kind=DiscrepancyKind.AMOUNT_MISMATCH)
    assert finding.invoice_id == differing.pk and finding.applied == "flagged" and "120.00" in finding.detail
    # The platform's own invoice waits for 补录 review; untouched invoices stay as they were, uploaded no more.
    unknown = PlatformCheckFinding.objects.get(check_run=check, kind=DiscrepancyKind.MISSING_IN_LEDGER)
    assert unknown.number == "26117000000099999999" and unknown.invoice is None and unknown.applied == "to_review"
    assert {i.pk: Invoice.objects.get(pk=i.pk).sync_status for i in untouched} == before
    assert all(PlatformInvoice.objects.get(number=i.number).uploads == uploads_before[i.number] for i in untouched)
    assert not PlatformCheckSeen.objects.exists()

    # ONE incident for the check, holding every missing and mismatched invoice, the counts in its description.
    incident = Incident.objects.get(category=IncidentCategory.PLATFORM_CHECK)
    assert check.incident_number == incident.reference
    assert sorted(incident.invoices.values_list("pk", flat=True)) == sorted([*(i.pk for i in vanished), differing.pk])
    assert "共读取 4 页 7 张发票" in incident.description and vanished[0].number in incident.description
    assert incident.seller == seller and incident.steps.count() == 5
    backs = IncidentEvent.objects.filter(incident=incident, message_code="incident.platform_check.back")
    assert sorted(e.data["invoice_id"] for e in backs) == sorted(i.pk for i in vanished)
    assert incident.status != IncidentStatus.RESOLVED  # the differing invoice still waits for finance


def test_the_incident_resolves_itself_when_every_invoice_is_back(live_platform):
    seller = factories.seller()
    invoices = synced(seller, 3)
    PlatformInvoice.objects.filter(number=invoices[0].number).delete()
    check = start(seller)
    incident = Incident.objects.get(reference=check.incident_number)
    assert incident.status == IncidentStatus.RESOLVED
    assert incident.root_cause and incident.resolution and incident.root_cause_category is not None
    assert incident.closed_at is None  # a manager still signs it off
    assert IncidentEvent.objects.filter(incident=incident, message_code="incident.platform_check.resolved").count() == 1


def test_a_check_that_finds_nothing_opens_no_incident_and_changes_nothing(live_platform, small_pages):
    seller = factories.seller()
    invoices = synced(seller, 3)
    check = start(seller)
    assert check.status == RunStatus.DONE and check.counts["matched"] == 3 and check.counts["pages"] == 2
    assert states(invoices) == [SyncStatus.SYNCED] * 3 and not Incident.objects.exists()
    assert not PlatformCheckFinding.objects.exists()


class FailsOnPage3(PlatformHandler):
    served = 0

    def do_GET(self):  # noqa: N802
        if self.path.split("?")[0].endswith("/invoices"):
            type(self).served += 1
            if type(self).served == 3:
                self._send(500, {"code": "INTERNAL", "message": "listing broke"})
                return
        super().do_GET()


def test_a_500_on_page_3_changes_nothing_and_the_check_fails_with_the_reason(live_platform, small_pages):
    seller = factories.seller()
    invoices = synced(seller, 7)
    PlatformInvoice.objects.filter(number=invoices[6].number).delete()  # would be found missing on page 4's end
    PlatformInvoice.objects.filter(number=invoices[0].number).update(total=Decimal("1.00"))  # and page 1 differs
    live_platform.stop()
    FailsOnPage3.served = 0
    live_platform.start(handler=FailsOnPage3)
    check = start(seller)
    assert check.status == RunStatus.FAILED and check.counts["pages"] == 2
    assert "Page 3" in check.error and "HTTP 500" in check.error
    assert states(invoices) == [SyncStatus.SYNCED] * 7
    assert not PlatformCheckFinding.objects.filter(check_run=check).exists() and not PlatformCheckSeen.objects.exists()
    assert not Incident.objects.exists()
    assert not InvoiceEvent.objects.filter(message_code__startswith="invoice.platform_check").exists()


def test_a_platform_that_is_down_fails_the_check_and_changes_nothing(live_platform):
    seller = factories.seller()
    invoices = synced(seller, 2)
    PlatformInvoice.objects.filter(number=invoices[0].number).delete()
    PlatformSettings.objects.create(outage=True)
    check = start(seller)
    assert check.status == RunStatus.FAILED and "Page 1" in check.error and "503" in check.error
    assert states(invoices) == [SyncStatus.SYNCED] * 2 and not Incident.objects.exists()
    live_platform.stop()
    check = start(seller)
    assert check.status == RunStatus.FAILED and "Page 1" in check.error
    assert states(invoices) == [SyncStatus.SYNCED] * 2


def test_a_second_check_while_one_runs_is_refused(live_platform):
    seller = factories.seller()
    today = timezone.localdate()
    PlatformCheck.objects.create(seller=seller, issued_from=today, issued_to=today, status=RunStatus.RUNNING)
    with pytest.raises(CheckAlreadyActive) as exc:
        start(seller)
    assert "already queued or running" in str(exc.value.message_dict["issued_from"][0])
    assert PlatformCheck.objects.count() == 1
    assert platform_checks_queue(days=1) == "queued 0, already running 1"
    with pytest.raises(ValidationError) as exc:
        platform_check_start(seller=seller, issued_from=today, issued_to=today.replace(year=today.year - 1))
    assert "issued_to" in exc.value.message_dict


def test_the_schedule_checks_every_seller_unless_the_platform_is_down(live_platform):
    sellers = [factories.seller(), factories.seller()]
    for seller in sellers:
        synced(seller, 1)
    assert platform_checks_queue(days=3) == "queued 2, already running 0"
    checks = PlatformCheck.objects.filter(origin=CheckOrigin.SCHEDULE)
    assert sorted(c.seller_id for c in checks) == sorted(s.pk for s in sellers)
    assert all(c.status == RunStatus.DONE and (c.issued_to - c.issued_from).days == 2 for c in checks)
    from invoices.platform.models import PlatformHealth

    PlatformHealth.objects.update_or_create(pk=1, defaults={"available": False})
    assert platform_checks_queue(days=3).startswith("skipped")


def test_the_schedules_exist_after_migrate():
    jobs = {scheduled_job(s): s for s in Schedule.objects.filter(name__contains="platform's listing")}
    assert set(jobs) == {"reconciliation.platform_checks_hourly", "reconciliation.platform_checks_nightly"}
    assert jobs["reconciliation.platform_checks_hourly"].schedule_type == "H"
    assert jobs["reconciliation.platform_checks_nightly"].schedule_type == "D"


def test_a_check_whose_task_was_lost_is_failed_so_the_period_can_be_checked_again(live_platform):
    from datetime import timedelta

    from invoices.reconciliation.services.platform_check import platform_checks_expire

    seller = factories.seller()
    today = timezone.localdate()
    lost = PlatformCheck.objects.create(seller=seller, issued_from=today, issued_to=today, status=RunStatus.RUNNING,
                                        created_at=timezone.now() - timedelta(hours=3))
    assert platform_checks_expire() == 1
    lost.refresh_from_db()
    assert lost.status == RunStatus.FAILED and "did not finish" in lost.error
    assert start(seller).status == RunStatus.DONE
