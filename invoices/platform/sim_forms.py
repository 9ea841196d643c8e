"""Red-letter forms on the simulated platform (红字发票信息确认单), as the providers' apply / query / confirm /
cancel calls behave: the platform numbers the form and decides whether the buyer must confirm (it knows whether
the buyer already confirmed use of the invoice); a form one side entered waits at most 72 hours for the other.
`sim_buyer_*` stand in for the buyer acting in their own 税务数字账户 (the simulator's admin and tests use them)."""
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.sequences import take_next_number
from invoices.ledger.services.issue_rules import SPECIAL_KINDS
from invoices.platform.gateway import ISSUABLE_FORM_STATUSES, WAITING_FORM_STATUSES, PlatformRejected
from invoices.platform.models import PlatformInvoice, PlatformRedLetterForm, PlatformSequence

LAPSE_AFTER = timedelta(hours=72)
USED_AFTER = timedelta(days=30)
FORM_CHANNEL = "8"  # form numbers count apart from invoice numbers (channel 1) in PlatformSequence
REASONS = ("01", "02", "03", "04")
STATUS_TEXT = {
    "01": "无需确认", "02": "销方录入待购方确认", "03": "购方录入待销方确认", "04": "购销双方已确认",
    "05": "作废（销方录入购方否认）", "06": "作废（购方录入销方否认）", "07": "作废（超72小时未确认）",
    "08": "作废（发起方撤销）", "09": "作废（确认后撤销）", "10": "作废（异常凭证）",
}


def form_json(form):
    """The body the platform answers for one form."""
    return {
        "number": form.number, "status": form.status, "status_text": STATUS_TEXT.get(form.status, ""),
        "original_number": form.original_number, "original_code": form.original_code,
        "entered_by": form.entered_by, "seller_tax_id": form.seller_tax_id, "buyer_tax_id": form.buyer_tax_id,
        "reason": form.reason, "amount": str(form.amount), "tax_amount": str(form.tax_amount), "lines": form.lines,
        "created_at": form.created_at.isoformat(),
        "lapses_at": form.lapses_at.isoformat() if form.lapses_at else None,
    }


def _lapse(form, now=None):
    """A form still waiting when its 72 hours are up is void (07); the platform applies that whenever it is read."""
    now = now or timezone.now()
    if form.status in WAITING_FORM_STATUSES and form.lapses_at and form.lapses_at <= now:
        PlatformRedLetterForm.objects.filter(pk=form.pk, status=form.status).update(status="07", decided_at=now)
        form.status, form.decided_at = "07", now
    return form


def buyer_confirmed_use(record, now=None):
    """Whether the buyer has already confirmed use of the invoice: recorded on the platform, or, for a 专票 older than
    USED_AFTER, assumed (buyers certify a 专票 for deduction within weeks of receiving it)."""
    if record.buyer_confirmed_use_at is not None:
        return True
    if record.payload.get("kind") not in SPECIAL_KINDS:
        return False
    try:
        issued = datetime.fromisoformat(str(record.payload.get("issued_at") or ""))
    except ValueError:
        return False
    if timezone.is_naive(issued):
        issued = timezone.make_aware(issued)
    return issued < (now or timezone.now()) - USED_AFTER


def _decimal(payload, key):
    try:
        value = Decimal(str(payload.get(key)))
    except (InvalidOperation, TypeError):
        raise PlatformRejected("INVALID_AMOUNT", f"{key} 格式错误") from None
    if not value.is_finite():
        raise PlatformRejected("INVALID_AMOUNT", f"{key} 格式错误")
    return value


def _original(code, number, lock=False):
    records = PlatformInvoice.objects.select_for_update() if lock else PlatformInvoice.objects
    record = records.filter(code=code or "", number=number).first()
    if record is None:
        raise PlatformRejected("ORIGINAL_NOT_FOUND", f"未找到蓝字发票 {number}")
    if record.status in ("已红冲-全额", "已作废") or record.total <= 0:
        raise PlatformRejected("ORIGINAL_NOT_FLUSHABLE", f"蓝字发票 {number} 状态为{record.status}，不能再开具红字发票")
    return record


LIVE_FORM_STATUSES = ("01", "02", "03", "04")


def _remaining(record):
    """What may still be red-flushed: the blue total less the red invoices against it and less the forms that are
    live and not yet used by a red invoice (their amount is promised to a red invoice to come)."""
    reds = list(PlatformInvoice.objects.filter(payload__original_number=record.number, total__lt=0))
    flushed = -sum((r.total for r in reds), Decimal(0))
    used = {str(r.payload.get("red_letter_form_number") or "") for r in reds}
    pending = sum((-(f.amount + f.tax_amount) for f in PlatformRedLetterForm.objects.filter(
        original_code=record.code, original_number=record.number, status__in=LIVE_FORM_STATUSES)
        if _lapse(f).status in LIVE_FORM_STATUSES and f.number not in used), Decimal(0))
    return record.total - flushed - pending


def _new_number(original_number, now):
    region = original_number[2:4] if len(original_number) == 20 and original_number.isdigit() else "11"
    prefix = f"{timezone.localtime(now).year % 100:02d}{region}{FORM_CHANNEL}"
    return take_next_number(PlatformSequence, {"prefix": prefix}, prefix=prefix,
                            taken=lambda n: PlatformRedLetterForm.objects.filter(number=n).exists())


def _create(payload, key, entered_by, now):
    number = str(payload.get("original_number") or "").strip()
    code = str(payload.get("original_code") or "").strip()
    reason = str(payload.get("reason") or "")
    if reason not in REASONS:
        raise PlatformRejected("INVALID_REASON", "冲红原因应为 01、02、03、04 之一")
    amount, tax = _decimal(payload, "amount"), _decimal(payload, "tax_amount")
    if amount + tax >= 0:
        raise PlatformRejected("INVALID_AMOUNT", "红字确认单的价税合计应为负数")
    record = _original(code, number, lock=True)  # two forms racing for what remains of one invoice queue here
    remaining = _remaining(record)
    if -(amount + tax) > remaining:
        raise PlatformRejected("AMOUNT_EXCEEDS_ORIGINAL", f"红字价税合计 {-(amount + tax)} 元超过蓝字发票 {number} "
                                                          f"可冲红的余额 {remaining} 元（已开红字发票及未作废的确认单已占用其余部分）")
    if str(payload.get("seller_tax_id") or "") != str(record.payload.get("seller_tax_id") or ""):
        raise PlatformRejected("SELLER_MISMATCH", "销方识别号与蓝字发票不一致")
    if entered_by == "buyer":
        status = "03"
    else:
        status = "02" if buyer_confirmed_use(record, now) else "01"
    return PlatformRedLetterForm.objects.create(
        number=_new_number(number, now), submit_key=key or None, original_code=code, original_number=number,
        entered_by=entered_by, seller_tax_id=str(payload.get("seller_tax_id") or ""),
        buyer_tax_id=str(record.payload.get("buyer_tax_id") or payload.get("buyer_tax_id") or ""), reason=reason,
        amount=amount, tax_amount=tax, lines=list(payload.get("lines") or []), status=status, created_at=now,
        lapses_at=now + LAPSE_AFTER if status in WAITING_FORM_STATUSES else None,
    )


def sim_form_submit(payload, key):
    """The seller's form (录入方 seller). Returns (form, created); the same key answers the first form."""
    if str(payload.get("entered_by") or "seller") != "seller":
        raise PlatformRejected("INVALID_ENTRANT", "销方接口只能以销方身份录入")
    if key:
        existing = PlatformRedLetterForm.objects.filter(submit_key=key).first()
        if existing is not None:
            return _lapse(existing), False
    try:
        with transaction.atomic():
            return _create(payload, key, "seller", timezone.now()), True
    except IntegrityError:
        # The same key raced in twice; the other request stored the form.
        return PlatformRedLetterForm.objects.get(submit_key=key), False


def sim_form_get(number):
    form = PlatformRedLetterForm.objects.filter(number=number).first()
    return _lapse(form) if form is not None else None


def sim_forms_waiting(seller_tax_id, status="03"):
    forms = [_lapse(f) for f in PlatformRedLetterForm.objects.filter(seller_tax_id=seller_tax_id, status=status)
             .order_by("created_at", "id")]
    return [f for f in forms if f.status == status]


def _locked(number):
    form = PlatformRedLetterForm.objects.select_for_update().filter(number=number).first()
    if form is None:
        raise PlatformRejected("FORM_NOT_FOUND", f"未找到红字发票信息确认单 {number}")
    return _lapse(form)


def _answer(number, accept, *, waiting, refused):
    with transaction.atomic():
        form = _locked(number)
        if form.status != waiting:
            raise PlatformRejected("FORM_NOT_WAITING", f"确认单 {number} 状态为 {form.status} {STATUS_TEXT[form.status]}，"
                                                       "不能确认或否认")
        form.status = "04" if accept else refused
        form.decided_at = timezone.now()
        form.save(update_fields=["status", "decided_at"])
    return form.status


def sim_form_confirm(number, accept):
    """The seller answers a form the buyer entered (03): 04 accepted, 06 refused."""
    return _answer(number, accept, waiting="03", refused="06")


def sim_form_cancel(number):
    """The seller withdraws its own form before a red invoice used it: 08."""
    with transaction.atomic():
        form = _locked(number)
        if form.entered_by != "seller" or form.status not in ("01", "02") or form_used(form.number):
            raise PlatformRejected("FORM_NOT_CANCELLABLE", f"确认单 {number} 状态为 {form.status} {STATUS_TEXT[form.status]}，"
                                                           "不能撤销")
        form.status, form.decided_at = "08", timezone.now()
        form.save(update_fields=["status", "decided_at"])
    return form.status


def form_used(number):
    return PlatformInvoice.objects.filter(payload__red_letter_form_number=number).exists()


def check_red_issue(payload):
    """A red invoice is issued only from a form in 01 or 04, against that form's blue invoice and for its amounts,
    once. Call inside the issuing transaction: the form stays locked until the red invoice is stored."""
    number = str(payload.get("red_letter_form_number") or "")
    form = PlatformRedLetterForm.objects.select_for_update().filter(number=number).first() if number else None
    if form is None:
        raise PlatformRejected("FORM_NOT_CONFIRMED", "开具红字发票需要已确认的红字发票信息确认单")
    _lapse(form)
    if form.status not in ISSUABLE_FORM_STATUSES:
        raise PlatformRejected("FORM_NOT_CONFIRMED", f"确认单 {number} 状态为 {form.status} {STATUS_TEXT[form.status]}，"
                                                     "不能开具红字发票")
    if str(payload.get("original_number") or "") != form.original_number:
        raise PlatformRejected("FORM_MISMATCH", f"确认单 {number} 对应的蓝字发票不是 {payload.get('original_number')}")
    if form_used(number):
        raise PlatformRejected("FORM_USED", f"确认单 {number} 已开具红字发票")
    if (_decimal(payload, "amount"), _decimal(payload, "tax_amount")) != (form.amount, form.tax_amount):
        raise PlatformRejected("FORM_MISMATCH", f"红字发票金额 {payload.get('amount')}、税额 {payload.get('tax_amount')} "
                                                f"与确认单 {number} 的金额 {form.amount}、税额 {form.tax_amount} 不一致")


# --- the buyer, in their own 税务数字账户 ---------------------------------------------------------------------

def sim_buyer_answer(number, accept):
    """The buyer answers a form the seller entered (02): 04 confirmed, 05 denied."""
    return _answer(number, accept, waiting="02", refused="05")


def sim_buyer_enter(*, original_number, original_code="", reason="01"):
    """The buyer enters a form for all that remains of the blue invoice (03); it waits for the seller."""
    record = _original(original_code, original_number)
    if record.status != "正常":
        raise PlatformRejected("ORIGINAL_PARTLY_FLUSHED", f"蓝字发票 {original_number} 已部分红冲，请按剩余金额录入")
    lines = [{**line, "line_no": n, **{k: _negated(line.get(k)) for k in ("amount", "tax_amount", "quantity")}}
             for n, line in enumerate(record.payload.get("lines") or [], start=1)]
    # The invoice's own totals, not the lines' sum: an issued invoice's lines may leave out their tax.
    payload = {
        "original_number": original_number, "original_code": original_code, "reason": reason,
        "seller_tax_id": record.payload.get("seller_tax_id"), "buyer_tax_id": record.payload.get("buyer_tax_id"),
        "amount": _negated(record.payload.get("amount")), "tax_amount": _negated(record.payload.get("tax_amount")),
        "lines": lines,
    }
    with transaction.atomic():
        return _create(payload, None, "buyer", timezone.now())


def _negated(value):
    if value in (None, ""):
        return value
    try:
        return str(-Decimal(str(value)))
    except InvalidOperation:
        return value


def sim_buyer_mark_used(*, number, code="", at=None):
    """The buyer confirms use (用途确认) of an invoice: later forms against it need their confirmation."""
    return PlatformInvoice.objects.filter(code=code or "", number=number).update(
        buyer_confirmed_use_at=at or timezone.now())
