"""The simulated tax platform: its records live in PlatformInvoice, its mood in PlatformSettings (plus
settings.TAX_PLATFORM_SIMULATOR). `SimulatedGateway` calls it in-process; `server` serves the same
functions over HTTP so the http gateway can be exercised for real."""
import random
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from core.sequences import take_next_number
from invoices.platform.gateway import (
    Gateway,
    PlatformCredit,
    PlatformFile,
    PlatformForm,
    PlatformListedInvoice,
    PlatformListing,
    PlatformReceipt,
    PlatformRecord,
    PlatformRejected,
    PlatformUnavailable,
    check_file_format,
    idempotency_key,
    invoice_payload,
)
from invoices.platform.models import PlatformInvoice, PlatformSequence, PlatformSettings
from invoices.platform.sim_credit import sim_credit, sim_credit_take
from invoices.platform.sim_forms import (
    check_red_issue,
    form_json,
    sim_form_cancel,
    sim_form_confirm,
    sim_form_get,
    sim_form_submit,
    sim_forms_waiting,
)
from invoices.platform.sim_listing import sim_list

# Platform-issued 数电 numbers use channel 1; the ledger's own allocator uses 2, so the two never collide.
ISSUE_CHANNEL = "1"


@dataclass
class SimConfig:
    outage: bool
    failure_rate: float
    latency_ms: int
    rejected: frozenset


def sim_settings_row():
    row = PlatformSettings.objects.order_by("pk").first()
    return row or PlatformSettings.objects.create()


def _split_ids(text):
    return {part.strip().upper() for part in str(text or "").replace(",", "\n").splitlines() if part.strip()}


def sim_config(now=None):
    """Effective behaviour: the admin row and the settings both count (an outage in either is an outage)."""
    now = now or timezone.now()
    conf = getattr(settings, "TAX_PLATFORM_SIMULATOR", {}) or {}
    row = sim_settings_row()
    in_window = bool(row.outage_from or row.outage_until) and (
        (row.outage_from is None or row.outage_from <= now) and (row.outage_until is None or now < row.outage_until)
    )
    return SimConfig(
        outage=bool(conf.get("outage")) or row.outage or in_window,
        failure_rate=max(float(conf.get("failure_rate", 0) or 0), float(row.failure_rate or 0)),
        latency_ms=max(int(conf.get("latency_ms", 0) or 0), int(row.latency_ms or 0)),
        rejected=frozenset(_split_ids("\n".join(conf.get("rejected_tax_ids", []) or [])) | _split_ids(row.rejected_tax_ids)),
    )


def sim_gate(tax_ids=()):
    """Behave like the configured platform before touching any record: slow, down, flaky or refusing."""
    config = sim_config()
    if config.latency_ms:
        time.sleep(config.latency_ms / 1000)
    if config.outage:
        raise PlatformUnavailable("simulated outage: the platform is under maintenance")
    if config.failure_rate and random.random() < config.failure_rate:
        raise PlatformUnavailable("simulated failure: the platform did not answer")
    for tax_id in tax_ids:
        if tax_id and tax_id.upper() in config.rejected:
            # The real platform answers in Chinese; this is its message, stored as received.
            raise PlatformRejected("TAX_ID_NOT_REGISTERED", f"纳税人识别号 {tax_id} 未在平台登记")


def _check_payload(payload):
    number = str(payload.get("number") or "").strip()
    if not number or not number.isdigit():
        raise PlatformRejected("INVALID_NUMBER", "发票号码不能为空且只能包含数字")
    try:
        total = Decimal(str(payload.get("total")))
    except (InvalidOperation, TypeError):
        raise PlatformRejected("INVALID_TOTAL", "价税合计格式错误") from None
    return number, str(payload.get("code") or "").strip(), total


def _refresh_original_status(original_number):
    original = PlatformInvoice.objects.select_for_update().filter(code="", number=original_number).first()
    if original is None:
        return
    flushed = -(
        PlatformInvoice.objects.filter(payload__original_number=original_number, total__lt=0)
        .aggregate(t=Sum("total"))["t"] or 0
    )
    status = "已红冲-全额" if flushed >= original.total else "已红冲-部分" if flushed else "正常"
    if status != original.status:
        PlatformInvoice.objects.filter(pk=original.pk).update(status=status)


def sim_receive(payload):
    """Store an uploaded invoice once. Returns (record, created); a replay only counts the upload."""
    number, code, total = _check_payload(payload)
    with transaction.atomic():
        record = PlatformInvoice.objects.select_for_update().filter(code=code, number=number).first()
        if record is not None:
            PlatformInvoice.objects.filter(pk=record.pk).update(uploads=F("uploads") + 1)
            return record, False
        try:
            with transaction.atomic():
                sim_credit_take(payload)
                record = PlatformInvoice.objects.create(
                    code=code, number=number, total=total, payload=payload, platform_id=uuid.uuid4().hex,
                )
        except IntegrityError:
            # Two uploads of the same invoice raced; the other one stored it.
            return PlatformInvoice.objects.get(code=code, number=number), False
        if payload.get("direction") == "red" and payload.get("original_number"):
            _refresh_original_status(payload["original_number"])
    return record, True


def sim_lookup(code, number):
    return PlatformInvoice.objects.filter(code=code or "", number=number).first()


def _next_number(region_code, issued_year):
    prefix = f"{issued_year % 100:02d}{region_code}{ISSUE_CHANNEL}"
    return take_next_number(PlatformSequence, {"prefix": prefix}, prefix=prefix,
                            taken=lambda number: PlatformInvoice.objects.filter(code="", number=number).exists())


def sim_issue(payload, key):
    """Issue a new 数电 invoice on the platform; the same key always yields the same invoice."""
    with transaction.atomic():
        if key:
            existing = PlatformInvoice.objects.filter(issue_key=key).first()
            if existing is not None:
                return existing, False
        region = str(payload.get("region_code") or "")
        if not (region.isdigit() and len(region) == 2):
            raise PlatformRejected("INVALID_REGION", "省份代码应为两位数字")
        try:
            total = Decimal(str(payload.get("total")))
        except (InvalidOperation, TypeError):
            raise PlatformRejected("INVALID_TOTAL", "价税合计格式错误") from None
        if payload.get("direction") == "red":
            check_red_issue(payload)
        sim_credit_take(payload)
        issued_at = payload.get("issued_at") or timezone.now().isoformat()
        number = _next_number(region, int(str(issued_at)[:4]))
        record = PlatformInvoice.objects.create(
            code="", number=number, total=total, issue_key=key or None, platform_id=uuid.uuid4().hex,
            payload={**payload, "number": number, "code": ""},
        )
        if payload.get("direction") == "red" and payload.get("original_number"):
            _refresh_original_status(payload["original_number"])
    return record, True


def record_json(record):
    """The body of `GET /invoices/{number}`, in the platform's vocabulary."""
    return {**record.payload, "number": record.number, "code": record.code, "status": record.status,
            "total": str(record.total), "platform_id": record.platform_id}


def sim_file(code, number, fmt):
    """The platform renders its own files from what it holds; None when it holds no such invoice."""
    from invoices.platform.render import render  # reportlab loads only when a file is asked for

    record = sim_lookup(code, number)
    if record is None:
        return None
    content, content_type = render(record_json(record), check_file_format(fmt))
    return PlatformFile(number=record.number, format=fmt, content=content, content_type=content_type)


def receipt_for(record, duplicate):
    return PlatformReceipt(number=record.number, code=record.code, platform_id=record.platform_id,
                           duplicate=duplicate, raw={"platform_id": record.platform_id})


class SimulatedGateway(Gateway):
    def upload(self, invoice):
        payload = invoice_payload(invoice)
        sim_gate([payload["seller_tax_id"], payload["buyer_tax_id"]])
        record, created = sim_receive(payload)
        return receipt_for(record, duplicate=not created)

    def query(self, invoice):
        sim_gate()
        record = sim_lookup(invoice.code, invoice.number)
        if record is None:
            return None
        return PlatformRecord(number=record.number, code=record.code, status=record.status,
                              total=record.total, raw=record_json(record))

    def issue(self, draft):
        sim_gate([draft.seller_tax_id, draft.buyer_tax_id])
        record, created = sim_issue(draft.to_payload(), draft.idempotency_key)
        return receipt_for(record, duplicate=not created)

    def download(self, invoice, format):  # noqa: A002
        check_file_format(format)
        sim_gate()
        return sim_file(invoice.code, invoice.number, format)

    def red_letter_form_submit(self, draft):
        sim_gate([draft.seller_tax_id])
        form, created = sim_form_submit(draft.to_payload(), draft.idempotency_key)
        return PlatformForm.from_json(form_json(form), duplicate=not created)

    def red_letter_form_get(self, number):
        sim_gate()
        form = sim_form_get(number)
        return PlatformForm.from_json(form_json(form)) if form is not None else None

    def red_letter_forms_waiting(self, seller_tax_id):
        sim_gate()
        return [PlatformForm.from_json(form_json(f)) for f in sim_forms_waiting(seller_tax_id)]

    def red_letter_form_confirm(self, number, accept):
        sim_gate()
        return sim_form_confirm(number, bool(accept))

    def red_letter_form_cancel(self, number):
        sim_gate()
        return sim_form_cancel(number)

    def credit(self, seller_tax_id):
        sim_gate()
        return PlatformCredit.from_json(sim_credit(seller_tax_id))

    def list_invoices(self, seller_tax_id, issued_from, issued_to, cursor=None, limit=None):
        sim_gate()
        page = sim_list(seller_tax_id, issued_from, issued_to, cursor, limit)
        return PlatformListing([PlatformListedInvoice.from_json(row) for row in page["results"]], page["next_cursor"])


__all__ = ["SimulatedGateway", "idempotency_key", "sim_config", "sim_file", "sim_issue", "sim_lookup", "sim_receive"]
