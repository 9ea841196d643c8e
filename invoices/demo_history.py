"""Demo history for the management reports: reissue requests spread over the last 90 days and a reconciliation
of the month before last (run early last month) whose export lacks two invoices and disagrees on one amount, so
last month's report has reissues and reconciliation findings to show; and platform checks, one of which found two
invoices gone from the platform. Built through the services; the request
and run times are then set to when the story says they happened. Runs once."""
import random
from datetime import datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from invoices.ledger.models import Direction, Invoice, InvoiceKind, Seller, SyncStatus
from invoices.platform.export_writer import build_file, invoice_row
from invoices.platform.models import PlatformInvoice
from invoices.reconciliation.models import CheckOrigin, PlatformCheck, ReconciliationRun
from invoices.reconciliation.services.platform_check import platform_check_run, platform_check_start
from invoices.reconciliation.services.runs import reconciliation_start
from invoices.platform.sim_forms import sim_buyer_enter
from invoices.reissue.models import RedFlushReason, RedLetterForm, ReissueRequest
from invoices.reissue.services.buyer_forms import buyer_forms_fetch
from invoices.reissue.services.reissue import invoice_reissue_request

NOTES = {
    RedFlushReason.INVOICING_ERROR: "购方税号录入错误，客户要求重开",
    RedFlushReason.GOODS_RETURNED: "客户退货，全额红冲",
    RedFlushReason.SERVICE_STOPPED: "服务中止，按约定红冲",
    RedFlushReason.SALES_ALLOWANCE: "销售折让，红冲后按折让后金额重开",
}


def seed_reissue_history(*, actor, count=8, seed=20261205):
    if ReissueRequest.objects.exists():
        return 0
    rng = random.Random(seed)
    now = timezone.now()
    reasons = [RedFlushReason.INVOICING_ERROR] * 4 + [RedFlushReason.GOODS_RETURNED, RedFlushReason.SERVICE_STOPPED,
                                                      RedFlushReason.SALES_ALLOWANCE]
    made = 0
    candidates = Invoice.objects.filter(direction=Direction.BLUE, kind=InvoiceKind.DIGITAL_GENERAL,
                                        sync_status=SyncStatus.SYNCED, status="issued").order_by("-id")
    for invoice in candidates[: count * 3]:
        if made == count:
            break
        reason = rng.choice(reasons)
        try:
            with transaction.atomic():
                request = invoice_reissue_request(invoice=invoice, actor=actor, reason=reason, note=NOTES[reason],
                                                  issue_new=reason != RedFlushReason.GOODS_RETURNED)
        except ValidationError:
            continue  # this invoice cannot be reissued as the story wants (e.g. a rule of its kind); take the next
        ReissueRequest.objects.filter(pk=request.pk).update(requested_at=now - timedelta(days=rng.randint(1, 88)))
        made += 1
    return made


def _month_before_last(today):
    last_month_end = today.replace(day=1) - timedelta(days=1)
    end = last_month_end.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end, last_month_end.replace(day=1)


def seed_reconciliation_history(*, actor):
    if ReconciliationRun.objects.exists():
        return None
    seller = Seller.objects.order_by("id").first()
    start, end, run_month = _month_before_last(timezone.localdate())
    invoices = list(Invoice.objects.filter(seller=seller, issued_at__date__gte=start, issued_at__date__lte=end)
                    .select_related("seller", "buyer", "original").order_by("id"))
    if seller is None or len(invoices) < 5:
        return None
    rows = [invoice_row(inv, seq=n) for n, inv in enumerate(invoices[2:], start=1)]  # the platform lacks two
    rows[0] = invoice_row(invoices[2], seq=1, amount=f"{invoices[2].amount + 100:.2f}")  # and disagrees on one
    # and flags one as an 异常凭证: the run keeps the platform's risk level and finance gets a 发票风险 incident.
    rows[1] = invoice_row(invoices[3], seq=2, **{"发票风险等级": "异常凭证"})
    upload = SimpleUploadedFile("全量发票查询.xlsx", build_file(rows, "xlsx"))
    run = reconciliation_start(actor=actor, seller=seller, period_start=start, period_end=end, file=upload)
    run_at = datetime.combine(run_month.replace(day=3), time(10, 0), tzinfo=timezone.get_current_timezone())
    ReconciliationRun.objects.filter(pk=run.pk).update(created_at=run_at)
    return run


def seed_buyer_form():
    """One red-letter form a buyer entered on the (simulated) platform for goods they returned, fetched into finance's
    queue as the scheduled check would: 购方录入、待我方确认 on finance's home page."""
    if RedLetterForm.objects.filter(entered_by="buyer").exists():
        return 0
    invoice = (Invoice.objects.filter(direction=Direction.BLUE, kind=InvoiceKind.DIGITAL_GENERAL, status="issued",
                                      sync_status=SyncStatus.SYNCED, reissue_requests__isnull=True)
               .order_by("-id").first())
    if invoice is None:
        return 0
    sim_buyer_enter(original_number=invoice.number, reason=RedFlushReason.GOODS_RETURNED)
    new, _unknown = buyer_forms_fetch()
    return new


def seed_platform_check_history(*, vanish=2):
    """The platform checks of the story: last night's check of the second seller's last 35 days found nothing;
    this morning's found `vanish` invoices the platform no longer lists (taken off the simulated platform here), marked
    them missing and uploaded them again: the 平台核对差异 incident on finance's home, found before any customer
    called. Runs in-process with the simulated platform; once."""
    if PlatformCheck.objects.exists():
        return None
    seller = Seller.objects.order_by("id")[1:2].first() or Seller.objects.order_by("id").first()
    if seller is None:
        return None
    today = timezone.localdate()
    first = today - timedelta(days=34)
    good = platform_check_start(seller=seller, issued_from=first, issued_to=today, origin=CheckOrigin.SCHEDULE)
    platform_check_run(good.pk)
    night = timezone.now() - timedelta(hours=6)
    PlatformCheck.objects.filter(pk=good.pk).update(created_at=night, started_at=night, finished_at=night)
    gone = list(Invoice.objects.filter(seller=seller, sync_status=SyncStatus.SYNCED, issued_at__date__gte=first,
                                       direction=Direction.BLUE, code="").order_by("-id").values_list("number", flat=True)[:vanish])
    PlatformInvoice.objects.filter(code="", number__in=gone).delete()
    check = platform_check_start(seller=seller, issued_from=first, issued_to=today, origin=CheckOrigin.SCHEDULE)
    platform_check_run(check.pk)
    return check
