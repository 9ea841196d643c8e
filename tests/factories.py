"""Test data built through the services, so every test object obeys the same rules as real data."""
import itertools
from decimal import Decimal

from django.utils import timezone

from invoices.demo import make_uscc
from invoices.ledger.models import InvoiceKind, Seller
from invoices.ledger.services.customers import customer_create
from invoices.ledger.services.issue import invoice_issue

_seq = itertools.count(1)


def uscc(prefix="91110108"):
    import random

    return make_uscc(random.Random(next(_seq) * 7919), prefix)


def seller(**overrides):
    n = next(_seq)
    data = {"name": f"北京测试销售方{n}有限公司", "tax_id": uscc(), "region": "北京", "region_code": "11", **overrides}
    return Seller.objects.create(**data)


def customer(**overrides):
    n = next(_seq)
    data = {"name": f"测试购买方{n}有限公司", "tax_id": uscc(), "email": f"buyer{n}@example.cn", **overrides}
    return customer_create(**data)


# 税收分类编码 of 软件维护服务 (branch 3040201 信息技术服务): every new invoice's line carries a known 19-digit code.
SOFTWARE_MAINTENANCE_CODE = "3040201030000000000"


def line(amount="100.00", rate="0.13", **overrides):
    data = {"name": "*信息技术服务*软件维护服务", "amount": Decimal(amount), "tax_rate": Decimal(rate),
            "tax_code": SOFTWARE_MAINTENANCE_CODE, **overrides}
    if Decimal(rate) == 0 and "zero_rate_flag" not in overrides:
        data["zero_rate_flag"] = "exempt"  # a 0% line on a new invoice says why
    return data


def invoice(*, seller_obj=None, buyer=None, actor=None, lines=None, kind=InvoiceKind.DIGITAL_GENERAL, **overrides):
    return invoice_issue(
        actor=actor,
        seller=seller_obj or seller(),
        buyer=buyer or customer(),
        kind=kind,
        lines=lines or [line()],
        issued_at=overrides.pop("issued_at", timezone.now()),
        **overrides,
    )


def incident(actor=None, **overrides):
    """An incident opened as a rep (or the system, with no actor) would open it."""
    from incidents.models import IncidentCategory, Severity
    from incidents.services.incidents import incident_open

    data = {"title": "发票查不到", "category": IncidentCategory.INVOICE_MISSING, "severity": Severity.SEV3, **overrides}
    return incident_open(actor=actor, **data)


def communication(actor, *, customer=None, **overrides):
    """A logged phone call from the customer, as the desk's 记录来电 records it."""
    from incidents.services.communications import communication_log

    data = {"channel": "phone", "direction": "inbound", "contact": "13800000000", "subject": "客户来电",
            "body": "客户说在北京税务系统查不到发票。", **overrides}
    return communication_log(actor=actor, customer=customer or globals()["customer"](), **data)


def corrected_lines(invoice_obj):
    """The replacement invoice's lines: the original's, with its quantity and price where it has both, and a known
    税收分类编码 (a new invoice needs one, though an original recorded before codes were required may lack it)."""
    return [{"name": ln.name, "amount": str(ln.amount), "tax_rate": str(ln.tax_rate),
             "tax_code": ln.tax_code or SOFTWARE_MAINTENANCE_CODE, "zero_rate_flag": ln.zero_rate_flag,
             **({"quantity": str(ln.quantity), "unit_price": str(ln.unit_price)}
                if ln.unit_price is not None and ln.quantity is not None else {})}
            for ln in invoice_obj.lines.all()]


def reissue_request(invoice_obj, actor, **overrides):
    """A full red-flush and reissue (reason 01) of `invoice_obj` with its own lines, requested by `actor`."""
    from invoices.reissue.services.reissue import invoice_reissue_request

    overrides.setdefault("reason", "01")
    overrides.setdefault("new_lines", corrected_lines(invoice_obj))
    return invoice_reissue_request(invoice=invoice_obj, actor=actor, **overrides)
