"""Demo ledger for `manage.py seed_demo`: built through the services, deterministic, idempotent."""
import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from invoices.demo_history import (
    seed_buyer_form,
    seed_platform_check_history,
    seed_reconciliation_history,
    seed_reissue_history,
)
from invoices.ledger.identifiers import USCC_ALPHABET, uscc_check_char
from invoices.ledger.models import (
    Customer,
    Direction,
    Invoice,
    InvoiceKind,
    Seller,
    SyncStatus,
)
from invoices.ledger.services.customers import customer_create
from invoices.ledger.services.issue import invoice_issue
from invoices.platform.export_vocab import red_link_text
from invoices.platform.gateway import invoice_payload
from invoices.platform.models import PlatformInvoice
from invoices.platform.simulator import sim_receive, sim_settings_row

SELLERS = [
    {"name": "北京云票财务软件有限公司", "region": "北京", "region_code": "11", "seed": "91110108AY4CL12TH"},
    {"name": "上海汇联商贸有限公司", "region": "上海", "region_code": "31", "seed": "91310115MA1K3U8P2"},
]
CUSTOMER_NAMES = [
    "北京丰台医疗器械有限公司", "北京首都机场餐饮管理有限公司", "天津滨海物流有限公司", "北京朝阳超市连锁有限公司",
    "河北雄安建设工程有限公司", "北京海淀科技发展有限公司", "上海浦东国际贸易有限公司", "广州天河电子商务有限公司",
    "深圳南山软件技术有限公司", "杭州西湖文化传媒有限公司", "成都高新信息服务有限公司", "武汉光谷生物科技有限公司",
]
GOODS = [
    ("*信息技术服务*软件维护服务", "3040201000000000000", Decimal("0.06"), "项"),
    ("*计算机配套产品*激光打印机", "1090511030000000000", Decimal("0.13"), "台"),
    ("*餐饮服务*餐费", "3070401000000000000", Decimal("0.06"), "次"),
    ("*运输服务*国内道路货物运输服务", "3010102020100000000", Decimal("0.09"), "次"),
    ("*医疗仪器器械*血压计", "1090999000000000000", Decimal("0.13"), "台"),
    ("*计算机*笔记本电脑", "1090501000000000000", Decimal("0.13"), "台"),
    # 简易计税 5%: leasing real estate.
    ("*经营租赁*办公室租赁服务", "3040502020000000000", Decimal("0.05"), "月"),
]
KIND_WEIGHTS = [
    (InvoiceKind.DIGITAL_GENERAL, 55), (InvoiceKind.DIGITAL_SPECIAL, 30), (InvoiceKind.VAT_SPECIAL, 5),
    (InvoiceKind.VAT_GENERAL, 5), (InvoiceKind.VAT_ELECTRONIC_GENERAL, 5),
]
SYNC_WEIGHTS = [
    (SyncStatus.SYNCED, 80), (SyncStatus.PENDING, 5), (SyncStatus.FAILED, 6), (SyncStatus.MISSING, 4),
    (SyncStatus.MISMATCH, 2), (SyncStatus.NOT_SENT, 3),
]


def make_uscc(rng, prefix="91110108"):
    body = prefix + "".join(rng.choice(USCC_ALPHABET) for _ in range(17 - len(prefix)))
    return body + uscc_check_char(body)


def _pick(rng, weighted):
    return rng.choices([k for k, _w in weighted], weights=[w for _k, w in weighted])[0]


def seed_sellers():
    sellers = []
    for spec in SELLERS:
        tax_id = spec["seed"] + uscc_check_char(spec["seed"])
        seller, _created = Seller.objects.get_or_create(
            tax_id=tax_id,
            defaults={"name": spec["name"], "region": spec["region"], "region_code": spec["region_code"]},
        )
        sellers.append(seller)
    return sellers


def seed_customers(rng, count=50):
    existing = list(Customer.objects.order_by("id")[:count])
    for n in range(len(existing), count):
        base = CUSTOMER_NAMES[n % len(CUSTOMER_NAMES)]
        name = base if n < len(CUSTOMER_NAMES) else base.replace("有限公司", f"第{n // len(CUSTOMER_NAMES) + 1}分公司")
        existing.append(customer_create(
            name=name,
            tax_id=make_uscc(rng),
            address=f"北京市朝阳区建国路{n + 1}号",
            phone=f"010-6{rng.randrange(1000000, 9999999)}",
            contact_name=rng.choice(["王先生", "李女士", "张经理", "刘会计", "陈主管"]),
            email=f"finance{n + 1}@customer{n + 1}.example.cn",
            mobile=f"13{rng.randrange(100000000, 999999999)}",
        ))
    return existing


def _lines(rng):
    lines = []
    for _ in range(rng.randint(1, 4)):
        name, code, rate, unit = rng.choice(GOODS)
        qty = Decimal(rng.randint(1, 20))
        price = Decimal(rng.randint(100, 500000)) / 100
        lines.append({"name": name, "tax_code": code, "unit": unit, "quantity": qty, "unit_price": price,
                      "amount": (qty * price).quantize(Decimal("0.01")), "tax_rate": rate})
    return lines


def seed_invoices(rng, sellers, customers, actor, count=500):
    have = Invoice.objects.filter(direction=Direction.BLUE).count()
    now = timezone.now()
    legacy_seq = 10000000 + have
    for n in range(have, count):
        kind = _pick(rng, KIND_WEIGHTS)
        seller = sellers[0] if rng.random() < 0.75 else sellers[1]
        issued_at = now - timedelta(days=rng.randint(0, 60), minutes=rng.randint(0, 600))
        code = number = ""
        if kind not in (InvoiceKind.DIGITAL_GENERAL, InvoiceKind.DIGITAL_SPECIAL):
            code = ("1100" if seller.region_code == "11" else "3100") + ("222130" if kind == InvoiceKind.VAT_SPECIAL
                                                                         else "22213000")
            number = f"{legacy_seq + n:08d}"
        with transaction.atomic():
            invoice_issue(
                actor=actor, seller=seller, buyer=rng.choice(customers), kind=kind, code=code, number=number,
                issued_at=issued_at, lines=_lines(rng), drawer=rng.choice(["李娜", "王强", "张丽"]),
                sync_status=_pick(rng, SYNC_WEIGHTS),
            )


def seed_red_flushes(actor, count=6):
    """A few blue invoices corrected by a full red invoice, as finance would have done it."""
    if Invoice.objects.filter(direction=Direction.RED).exists():
        return
    blues = Invoice.objects.filter(
        direction=Direction.BLUE, kind=InvoiceKind.DIGITAL_GENERAL, sync_status=SyncStatus.SYNCED
    ).order_by("id")[:count]
    for blue in blues:
        invoice_issue(
            actor=actor, seller=blue.seller, buyer=blue.buyer, kind=blue.kind, direction=Direction.RED,
            original=blue, issued_at=blue.issued_at + timedelta(days=1), sync_status=SyncStatus.SYNCED,
            remarks=red_link_text(code=blue.code, number=blue.number),
            lines=[{"name": line.name, "tax_code": line.tax_code, "unit": line.unit,
                    "quantity": -line.quantity if line.quantity else None, "unit_price": line.unit_price,
                    "amount": -line.amount, "tax_rate": line.tax_rate, "tax_amount": -line.tax_amount}
                   for line in blue.lines.all()],
        )


def seed_platform():
    """Put the simulated platform in the state the demo ledger claims: synced invoices are there, mismatching
    ones are there with another total, missing/failed/pending/not-sent ones are not. Runs once."""
    sim_settings_row()
    if PlatformInvoice.objects.exists():
        return
    shown = Invoice.objects.filter(sync_status__in=[SyncStatus.SYNCED, SyncStatus.MISMATCH])
    for invoice in shown.select_related("seller", "original").prefetch_related("lines").order_by("id"):
        payload = invoice_payload(invoice)
        if invoice.sync_status == SyncStatus.MISMATCH:
            payload["total"] = str(invoice.total + Decimal("100.00"))
        sim_receive(payload)


def seed(*, actor=None, invoices=500, customers=50):
    rng = random.Random(20261123)
    sellers = seed_sellers()
    customer_rows = seed_customers(rng, customers)
    seed_invoices(rng, sellers, customer_rows, actor, invoices)
    seed_red_flushes(actor)
    seed_platform()
    # After the platform holds the synced invoices: reissue requests need them synced, the export is built here.
    seed_reissue_history(actor=actor)
    seed_buyer_form()
    seed_reconciliation_history(actor=actor)
    seed_platform_check_history()
    return {"sellers": len(sellers), "customers": Customer.objects.count(), "invoices": Invoice.objects.count()}
