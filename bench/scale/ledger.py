"""Scale fixture for the invoices side: sellers, ~20,000 customers, invoices with 1–5 lines, events, sync
attempts and red-letter chains. Written with COPY, bypassing the services (benchmark fixture data), but every
row satisfies the models' constraints and the domain's formats: valid USCCs, 20-digit 数电 numbers taken from
(and written back to) the sellers' NumberSequence, legacy code + 8-digit numbers, totals equal to the lines."""
from array import array
from datetime import timedelta

from django.utils import timezone

from bench.scale.bulk import money
from invoices.demo import make_uscc
from invoices.ledger.identifiers import uscc_check_char
from invoices.ledger.models import (
    Customer,
    Direction,
    Invoice,
    InvoiceEvent,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    NumberSequence,
    RiskLevel,
    Seller,
    SyncStatus,
)
from invoices.platform.models import SyncAttempt

SELLERS = [  # name, region, province code, weight: the Beijing company issues most
    ("北京云票连锁超市有限公司", "北京", "11", 55), ("上海汇联商贸有限公司", "上海", "31", 12),
    ("天津滨海连锁超市有限公司", "天津", "12", 8), ("广州天河零售有限公司", "广东", "44", 8),
    ("杭州西湖便利店有限公司", "浙江", "33", 7), ("南京新街口商贸有限公司", "江苏", "32", 5),
    ("成都高新零售有限公司", "四川", "51", 5),
]
CITIES = ["北京", "天津", "上海", "广州", "深圳", "杭州", "南京", "成都", "武汉", "西安", "苏州", "郑州"]
WORDS = ["丰台", "朝阳", "海淀", "首都", "滨海", "浦东", "天河", "南山", "西湖", "高新", "光谷", "雄安", "中关村",
         "望京", "亦庄", "金桥", "前海", "钱塘", "江宁", "锦江"]
TRADES = ["医疗器械", "餐饮管理", "物流", "超市连锁", "建设工程", "科技发展", "国际贸易", "电子商务", "软件技术",
          "文化传媒", "信息服务", "生物科技", "酒店管理", "汽车销售", "食品", "服装"]
GOODS = [  # name, tax classification code, rate in basis points, unit
    ("*信息技术服务*软件维护服务", "3040201000000000000", 600, "项"),
    ("*计算机配套产品*激光打印机", "1090511030000000000", 1300, "台"),
    ("*餐饮服务*餐费", "3070401000000000000", 600, "次"),
    ("*运输服务*国内道路货物运输服务", "3010102020100000000", 900, "次"),
    ("*医疗仪器器械*血压计", "1090999000000000000", 1300, "台"),
    ("*计算机*笔记本电脑", "1090501000000000000", 1300, "台"),
    ("*谷物*大米", "1010101020000000000", 900, "袋"),
    ("*酒*葡萄酒", "1030203010000000000", 1300, "瓶"),
    ("*经营租赁*办公室租赁服务", "3040502020000000000", 500, "月"),  # 简易计税 5%
]
KINDS = [(InvoiceKind.DIGITAL_GENERAL, 60), (InvoiceKind.DIGITAL_SPECIAL, 25), (InvoiceKind.VAT_SPECIAL, 5),
         (InvoiceKind.VAT_GENERAL, 5), (InvoiceKind.VAT_ELECTRONIC_GENERAL, 5)]
SYNC = [(SyncStatus.SYNCED, 85), (SyncStatus.PENDING, 3), (SyncStatus.FAILED, 5), (SyncStatus.MISSING, 3),
        (SyncStatus.MISMATCH, 2), (SyncStatus.NOT_SENT, 2)]
DRAWERS = ["李娜", "王强", "张丽", "刘洋", "陈静"]
LEGACY_CODE = {InvoiceKind.VAT_SPECIAL: "{r}00222130", InvoiceKind.VAT_GENERAL: "{r}0022213000",
               InvoiceKind.VAT_ELECTRONIC_GENERAL: "{r}0022213100"}
RED_SHARE, PARTIAL_RED_SHARE, VOID_SHARE = 0.015, 0.005, 0.01

INVOICE_COLS = ["id", "kind", "direction", "code", "number", "issued_at", "seller_id", "buyer_id", "buyer_name",
                "buyer_tax_id", "amount", "tax_amount", "total", "status", "sync_status", "remarks", "drawer",
                "original_id", "created_by_id", "created_at", "risk_level"]
LINE_COLS = ["id", "invoice_id", "line_no", "name", "tax_code", "spec", "unit", "quantity", "unit_price", "amount",
             "tax_rate", "zero_rate_flag", "tax_amount"]
# Written as plain Chinese text (rows of before message codes): the pages render them as stored.
EVENT_COLS = ["id", "invoice_id", "kind", "at", "actor_id", "message", "message_code", "params", "data"]
ATTEMPT_COLS = ["id", "invoice_id", "operation", "started_at", "duration_ms", "outcome", "error_code", "error",
                "response", "attempt_no", "actor_id"]
CUSTOMER_COLS = ["id", "name", "tax_id", "address", "phone", "bank_name", "bank_account", "contact_name", "email",
                 "mobile", "created_at"]


def weighted(rng, table):
    return rng.choices([k for k, _w in table], weights=[w for _k, w in table])[0]


def sellers():
    out = []
    for name, region, code, weight in SELLERS:
        seller = Seller.objects.filter(region_code=code).order_by("id").first()
        if seller is None:
            body = f"91{code}0108MA0{code}Q8P1"  # 17 characters of the USCC alphabet
            seller = Seller.objects.create(name=name, tax_id=body + uscc_check_char(body), region=region,
                                           region_code=code)
        out.append((seller, weight))
    return out


def customers(w, rng, count, now):
    """Write `count` customers; ~5 % are individuals without a tax id. Returns [(id, name, tax_id)]."""
    taken = set(Customer.objects.exclude(tax_id="").values_list("tax_id", flat=True))
    start = w.next_id(Customer)
    out = []
    with w.table(Customer, CUSTOMER_COLS) as t:
        for n in range(count):
            cid = start + n
            if rng.random() < 0.05:
                name, tax_id = f"{rng.choice('王李张刘陈杨赵黄周吴')}{rng.choice(['伟', '芳', '娜', '敏', '静', '强'])}", ""
            else:
                name = f"{rng.choice(CITIES)}{rng.choice(WORDS)}{rng.choice(TRADES)}有限公司"
                if n % 7 == 0:
                    name = name.replace("有限公司", f"第{n % 50 + 1}分公司")
                tax_id = make_uscc(rng, "91" + rng.choice(["110108", "110105", "310115", "120116", "440106"]))
                while tax_id in taken:
                    tax_id = make_uscc(rng)
                taken.add(tax_id)
            t.add((cid, name, tax_id, f"{rng.choice(CITIES)}市{rng.choice(WORDS)}路{n % 300 + 1}号",
                   f"010-6{rng.randrange(1000000, 9999999)}", "中国工商银行", f"0200{rng.randrange(10**11, 10**12)}",
                   rng.choice(["王先生", "李女士", "张经理", "刘会计"]), f"finance{cid}@customer{cid}.example.cn",
                   f"13{rng.randrange(100000000, 999999999)}", now - timedelta(days=400)))
            out.append((cid, name, tax_id))
    w.reset_sequence(Customer)
    return out


class _Numbers:
    """Per seller/year/channel sequences, continued from NumberSequence and written back at the end."""

    def __init__(self):
        self.last = {}

    def take(self, seller, year):
        key = (seller.pk, year)
        if key not in self.last:
            row = NumberSequence.objects.filter(seller=seller, year=year, channel="2").first()
            self.last[key] = row.last if row else 0
        self.last[key] += 1
        return f"{year % 100:02d}{seller.region_code}2{self.last[key]:015d}"

    def save(self):
        for (seller_id, year), last in self.last.items():
            NumberSequence.objects.update_or_create(seller_id=seller_id, year=year, channel="2",
                                                    defaults={"last": last})


def _lines(rng):
    lines = []
    for _n in range(rng.choices((1, 2, 3, 4, 5), weights=(35, 25, 20, 12, 8))[0]):
        name, code, rate, unit = GOODS[rng.randrange(len(GOODS))]
        qty = rng.randint(1, 50)
        price = rng.randint(100, 2_000_000)  # cents
        amount = qty * price
        lines.append((name, code, rate, unit, qty, price, amount, (amount * rate + 5000) // 10000))
    return lines


def risk_level(inv_id):
    """发票风险等级: about one invoice in a thousand flagged (the list's 风险等级 filter reads them by a partial index)."""
    if inv_id % 2000 == 0:
        return RiskLevel.ABNORMAL.value
    return RiskLevel.SUSPICIOUS.value if inv_id % 2000 == 1000 else RiskLevel.NORMAL.value


def invoices(w, rng, *, count, buyers, actor_ids, days=365):
    """Blue invoices in issue order (ids follow time, as in a live ledger); ~2 % get a red invoice right after.
    Returns an array of buyer index per written invoice offset, for the incidents to point at real invoices."""
    now = timezone.now()
    start_at = now - timedelta(days=days)
    step = timedelta(days=days) / max(count, 1)
    seller_rows = sellers()
    seller_list, seller_weights = [s for s, _w in seller_rows], [wt for _s, wt in seller_rows]
    numbers = _Numbers()
    inv_id = w.next_id(Invoice)
    first_id = inv_id
    line_id, event_id, attempt_id = w.next_id(InvoiceLine), w.next_id(InvoiceEvent), w.next_id(SyncAttempt)
    buyer_of = array("i")
    legacy_seq = 10_000_000 + inv_id % 80_000_000
    with w.table(Invoice, INVOICE_COLS) as ti, w.table(InvoiceLine, LINE_COLS) as tl, \
            w.table(InvoiceEvent, EVENT_COLS) as te, w.table(SyncAttempt, ATTEMPT_COLS) as ta:

        def event(invoice_id, kind, at, message, data, actor=None):
            nonlocal event_id
            te.add((event_id, invoice_id, kind, at, actor, message, "", {}, data))
            event_id += 1

        def write(direction, kind, code, number, at, seller, b, lines, status, sync, remarks, original):
            nonlocal inv_id, line_id
            amount = sum(ln[6] for ln in lines)
            tax = sum(ln[7] for ln in lines)
            actor = actor_ids[inv_id % len(actor_ids)]
            ti.add((inv_id, kind, direction, code, number, at, seller.pk, buyers[b][0], buyers[b][1], buyers[b][2],
                    money(amount), money(tax), money(amount + tax), status, sync, remarks,
                    DRAWERS[inv_id % len(DRAWERS)], original, actor, at, risk_level(inv_id)))
            for no, (name, tcode, rate, unit, qty, price, amt, t) in enumerate(lines, 1):
                tl.add((line_id, inv_id, no, name, tcode, "", unit, qty, money(price), money(amt),
                        f"0.{rate:04d}", "", money(t)))
                line_id += 1
            buyer_of.append(b)
            event(inv_id, "issued", at, "已开具", {"total": money(amount + tax)}, actor)
            _sync_history(inv_id, sync, at)
            inv_id += 1
            return inv_id - 1

        def _sync_history(invoice_id, sync, at):
            nonlocal attempt_id
            if sync == SyncStatus.NOT_SENT:
                return
            event(invoice_id, "sync_queued", at + timedelta(seconds=5), "已排队上传", {})
            later = at + timedelta(seconds=30)
            if sync in (SyncStatus.SYNCED, SyncStatus.MISSING, SyncStatus.MISMATCH):
                ta.add((attempt_id, invoice_id, "upload", later, 180, "accepted", "", "", {}, 1, None))
                attempt_id += 1
                event(invoice_id, "sync_succeeded", later, "平台已接收", {})
            if sync in (SyncStatus.MISSING, SyncStatus.MISMATCH):
                verify_at = later + timedelta(days=1)
                ta.add((attempt_id, invoice_id, "verify", verify_at, 240, sync, "", "", {"status": sync}, 1, None))
                attempt_id += 1
                event(invoice_id, "verified", verify_at, "平台核对结果", {"outcome": sync})
            elif sync == SyncStatus.FAILED:
                for n in (1, 2, 3):
                    ta.add((attempt_id, invoice_id, "upload", later + timedelta(minutes=n * n), 30000, "unavailable",
                            "timeout", "平台无响应", {}, n, None))
                    attempt_id += 1
                event(invoice_id, "sync_failed", later + timedelta(minutes=9), "上传失败：平台无响应",
                      {"error_code": "timeout"})

        for n in range(count):
            at = start_at + step * n + timedelta(seconds=rng.randint(0, 59))
            seller = rng.choices(seller_list, weights=seller_weights)[0]
            b = int(len(buyers) * rng.random() ** 2)  # a few big customers get most invoices
            kind = weighted(rng, KINDS)
            lines = _lines(rng)
            status, sync, code, number = InvoiceStatus.ISSUED, weighted(rng, SYNC), "", ""
            roll = rng.random()
            if kind in (InvoiceKind.DIGITAL_GENERAL, InvoiceKind.DIGITAL_SPECIAL):
                number = numbers.take(seller, timezone.localtime(at).year)
                if roll < RED_SHARE:
                    status = InvoiceStatus.RED_FLUSHED
                elif roll < RED_SHARE + PARTIAL_RED_SHARE and len(lines) > 1:
                    status = InvoiceStatus.PARTIALLY_RED_FLUSHED
                if status != InvoiceStatus.ISSUED:
                    sync = SyncStatus.SYNCED
            else:
                code = LEGACY_CODE[kind].format(r=seller.region_code)[: 10 if kind == InvoiceKind.VAT_SPECIAL else 12]
                number = f"{legacy_seq:08d}"
                legacy_seq = legacy_seq + 1 if legacy_seq < 99_999_999 else 10_000_000
                if roll < VOID_SHARE and kind != InvoiceKind.VAT_ELECTRONIC_GENERAL:
                    status = InvoiceStatus.VOID
            blue = write(Direction.BLUE, kind, code, number, at, seller, b, lines, status, sync, "", None)
            if status in (InvoiceStatus.RED_FLUSHED, InvoiceStatus.PARTIALLY_RED_FLUSHED):
                red_at = at + timedelta(hours=rng.randint(2, 72))
                flushed = lines if status == InvoiceStatus.RED_FLUSHED else lines[:1]
                red_lines = [(nm, c, r, u, -q, p, -a, -t) for nm, c, r, u, q, p, a, t in flushed]
                red = write(Direction.RED, kind, "", numbers.take(seller, timezone.localtime(red_at).year), red_at,
                            seller, b, red_lines, InvoiceStatus.ISSUED, SyncStatus.SYNCED,
                            f"被红冲蓝字数电发票号码：{number}", blue)
                event(blue, "red_flushed", red_at, "已红冲", {"red_invoice_id": red})
    numbers.save()
    for model in (Invoice, InvoiceLine, InvoiceEvent, SyncAttempt):
        w.reset_sequence(model)
    return first_id, buyer_of
