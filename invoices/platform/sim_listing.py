"""The simulated platform's batch listing (`GET /invoices?seller_tax_id=…`, the wire protocol in http.py): a seller's
invoices of a period, a page at a time, in id order (stable: new invoices only ever come after the cursor)."""
from datetime import date, datetime

from django.utils import timezone

from invoices.platform.gateway import LISTING_MAX_LIMIT, PlatformRejected
from invoices.platform.models import PlatformInvoice


def _bad(name, rule):
    # The real platform answers in Chinese; the code names the parameter for the client.
    return PlatformRejected(f"INVALID_{name.upper()}", f"参数 {name} 无效：{rule}")


def listing_params(seller_tax_id, issued_from, issued_to, cursor=None, limit=None):
    """The listing's parameters checked, or PlatformRejected naming the bad one."""
    seller_tax_id = str(seller_tax_id or "").strip().upper()
    if not seller_tax_id:
        raise _bad("seller_tax_id", "不能为空")
    days = {}
    for name, value in (("issued_from", issued_from), ("issued_to", issued_to)):
        if isinstance(value, date):
            days[name] = value
            continue
        try:
            days[name] = date.fromisoformat(str(value or ""))
        except ValueError:
            raise _bad(name, "应为 YYYY-MM-DD 格式的日期") from None
    if days["issued_to"] < days["issued_from"]:
        raise _bad("issued_to", "不能早于 issued_from")
    cursor = str(cursor or "").strip()
    if cursor and not cursor.isdigit():
        raise _bad("cursor", "应为上一页返回的 next_cursor")
    try:
        limit = LISTING_MAX_LIMIT if limit in (None, "") else int(limit)
    except (TypeError, ValueError):
        raise _bad("limit", "应为整数") from None
    if not 1 <= limit <= LISTING_MAX_LIMIT:
        raise _bad("limit", f"应在 1 到 {LISTING_MAX_LIMIT} 之间")
    return seller_tax_id, days["issued_from"], days["issued_to"], int(cursor or 0), limit


def _issued_day(payload):
    try:
        moment = datetime.fromisoformat(str(payload.get("issued_at") or ""))
    except ValueError:
        return None
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def listed_json(record):
    payload = record.payload
    return {"number": record.number, "code": record.code, "status": record.status, "total": str(record.total),
            "amount": payload.get("amount"), "tax_amount": payload.get("tax_amount"),
            "buyer_tax_id": payload.get("buyer_tax_id") or "", "issued_at": payload.get("issued_at") or "",
            "direction": payload.get("direction") or "blue"}


def sim_list(seller_tax_id, issued_from, issued_to, cursor=None, limit=None):
    """({"results": [...], "next_cursor": …}) for one page. The seller is filtered in the database, the day of
    issue (stored as the uploaded ISO text, in whatever offset it came) here; a batch at a time, so a page holds at
    most `limit` rows and memory stays bounded whatever the period's size."""
    seller_tax_id, first, last, after, limit = listing_params(seller_tax_id, issued_from, issued_to, cursor, limit)
    base = PlatformInvoice.objects.filter(payload__seller_tax_id=seller_tax_id).order_by("id")
    results, more = [], False
    while len(results) < limit:
        batch = list(base.filter(id__gt=after)[:limit])
        for record in batch:
            after = record.id
            day = _issued_day(record.payload)
            if day is not None and first <= day <= last:
                results.append(listed_json(record))
                if len(results) == limit:
                    break
        if len(batch) < limit and (not batch or after == batch[-1].id):
            break
    else:
        more = base.filter(id__gt=after).exists()
    return {"results": results, "next_cursor": str(after) if more else None}
