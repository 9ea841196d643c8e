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


def line(amount="100.00", rate="0.13", **overrides):
    return {"name": "*信息技术服务*软件维护服务", "amount": Decimal(amount), "tax_rate": Decimal(rate), **overrides}


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
