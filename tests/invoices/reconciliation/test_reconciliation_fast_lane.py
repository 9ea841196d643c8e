"""PostgreSQL's plain-row lane (load_plain) must stage exactly what the full normalising pipeline stages: the
same rows are loaded once with the lane and once without, and the staged rows and unreadable discrepancies
must be identical. Each variant also says whether the lane should take it, so a lane that silently took
nothing (or took a row it cannot convert exactly) fails here."""
import csv
import datetime as dt
import io

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from invoices.platform.export_vocab import HEADERS
from invoices.reconciliation.models import Discrepancy, ReconciliationRun
from invoices.reconciliation.pipeline import load_block, load_sql, raw, staging
from invoices.reconciliation.pipeline.source import open_source

pytestmark = [
    pytest.mark.postgres,  # the SQL lanes are PostgreSQL's
    pytest.mark.django_db,
]
KEYS = list(HEADERS)
BUYER = "91110108MA01ABCD3X"


def base(seller):
    return {"seq": "1", "code": "", "number": "", "digital_number": "26112000000000000001",
            "seller_tax_id": seller.tax_id, "seller_name": "北京测试有限公司", "buyer_tax_id": BUYER,
            "buyer_name": "购买方有限公司", "issued_at": "2026-10-05 10:00:00", "amount": "100.00",
            "tax_amount": "13.00", "total": "113.00", "source": "电子发票服务平台", "kind": "数电发票（普通发票）",
            "status": "正常", "positive": "是", "risk": "正常", "drawer": "李娜", "remarks": ""}


LEGACY = {"code": "011002500111", "number": "12345678", "digital_number": "", "kind": "增值税电子普通发票"}
# (label, changes to the base row, whether the plain lane takes it, on its own)
VARIANTS = [
    ("plain 数电", {}, True),
    ("数电 number in 发票号码", {"number": "26112000000000000002", "digital_number": ""}, True),
    ("数电 number in both columns", {"number": "26112000000000000001"}, True),
    ("legacy 12-digit code", LEGACY, True),
    ("legacy 10-digit code", {**LEGACY, "code": "1100253130"}, True),
    ("date without time", {"issued_at": "2026-10-05"}, True),
    ("last second of a day", {"issued_at": "2026-12-31 23:59:59"}, True),
    ("30 April", {"issued_at": "2026-04-30 08:00:00"}, True),
    ("red row", {"amount": "-100.00", "tax_amount": "-13.00", "total": "-113.00", "positive": "否",
                 "remarks": "被红冲蓝字数电发票号码：26112000000000000009"}, True),
    ("no 是否正数发票, negative total", {"positive": "", "amount": "-1.00", "tax_amount": "-0.13",
                                       "total": "-1.13"}, True),
    ("14 integer digits", {"amount": "99999999999999.99", "total": "99999999999999.99", "tax_amount": "0.00"}, True),
    ("half-width kind label", {"kind": "数电发票(普通发票)"}, True),
    ("red-flushed full-width dash", {"status": "已红冲－全额"}, True),
    ("status code", {"status": "03"}, True),
    ("no seller tax id", {"seller_tax_id": ""}, True),
    ("padded free text", {"buyer_name": "\u3000购买方 ", "drawer": " 李娜", "remarks": "备注 "}, True),
    ("buyer without tax id", {"buyer_tax_id": ""}, True),
    ("29 February of a leap year", {"issued_at": "2028-02-29 10:00:00"}, True),
    ("29 February of another year", {"issued_at": "2026-02-29 10:00:00"}, False),
    ("a day of 1999", {"issued_at": "1999-12-31 10:00:00"}, False),
    ("30 February", {"issued_at": "2026-02-30 10:00:00"}, False),
    ("hour 24", {"issued_at": "2026-10-05 24:00:00"}, False),
    ("second 60", {"issued_at": "2026-10-05 23:59:60"}, False),
    ("minute 60", {"issued_at": "2026-10-05 23:60:00"}, False),
    ("signed amount", {"amount": "+100.00"}, False),
    ("slashes and no seconds", {"issued_at": "2026/10/05 10:00"}, False),
    ("compact date", {"issued_at": "20261005"}, False),
    ("one-digit hour", {"issued_at": "2026-10-05 9:00:00"}, False),
    ("month 13", {"issued_at": "2026-13-05 10:00:00"}, False),
    ("letters in the date", {"issued_at": "2026-1O-05 10:00:00"}, False),
    ("a sign in the date", {"issued_at": "2026-10-05 10:00:+0"}, False),
    ("year 0", {"issued_at": "0000-10-05"}, False),
    ("a space where a digit belongs", {"issued_at": "2026-10-05 1 :00:00"}, False),
    ("a space in the month", {"issued_at": "2026-1 -05"}, False),
    ("minus zero hours", {"issued_at": "2026-10-05 -0:00:00"}, False),
    ("a negative year", {"issued_at": "-026-10-05"}, False),
    ("a colon where a digit belongs", {"issued_at": "2026-10-05 1::00:00"}, False),
    ("minus in the month", {"issued_at": "2026--1-05"}, False),
    ("lower-case buyer tax id", {"buyer_tax_id": BUYER.lower()}, False),
    ("full-width digits", {"digital_number": "２６１１２０００００００００００００００１"}, False),
    ("padded amount", {"amount": " 100.00"}, False),
    ("thousands separator", {"amount": "1,000.00", "total": "1,013.00"}, False),
    ("one decimal", {"amount": "100.5"}, False),
    ("15 integer digits", {"amount": "100000000000000.00"}, False),
    ("lower-case y", {"positive": "y"}, False),
    ("other seller", {"seller_tax_id": "91310000MA1FL0XX0X"}, False),
    ("damaged number", {"digital_number": "2.6112E+19"}, False),
    ("unknown kind", {"kind": "二手车销售统一发票"}, False),
    ("数电 with a 发票代码", {"code": "011002500111"}, False),
    ("数电 number of 19 digits", {"digital_number": "2611200000000000001"}, False),
    ("legacy number of 7 digits", {**LEGACY, "number": "1234567"}, False),
    ("padded kind", {"kind": " 数电发票（普通发票）"}, False),
    # Issue 27: legacy red links, the export's other 票种 and 发票风险等级.
    ("red row of a legacy original", {**LEGACY, "amount": "-100.00", "tax_amount": "-13.00", "total": "-113.00",
                                      "positive": "否", "remarks": "被红冲蓝字发票代码：011002500111 号码：12345670 "
                                                                  "红字发票信息确认单编号：1100252610000012"}, True),
    ("legacy link, spaces, full-width colon, comma", {"remarks": "被红冲蓝字发票代码 ： 1100253130，号码:12345670"}, True),
    ("全电票 link", {"remarks": "被红冲蓝字全电票号码\u300026112000000000000009"}, True),
    ("异常凭证", {"risk": "异常凭证"}, True),
    ("疑点发票", {"risk": "疑点发票"}, True),
    ("no 发票风险等级", {"risk": ""}, True),
    ("unknown 发票风险等级", {"risk": "高风险"}, False),
    ("padded 发票风险等级", {"risk": " 疑点发票"}, False),
    ("数电 paper special", {"kind": "数电纸质发票（增值税专用发票）"}, True),
    ("全电 paper general", {"kind": "全电纸质发票（普通发票）"}, True),
    ("数电 motor vehicle", {"kind": "数电票（机动车销售统一发票）"}, True),
    ("roll invoice", {**LEGACY, "kind": "增值税普通发票（卷票）"}, True),
    ("motor vehicle invoice", {**LEGACY, "code": "111001922071", "kind": "机动车销售统一发票"}, True),
    ("paper 普票 with a 10-digit code", {**LEGACY, "code": "1100171320", "kind": "增值税普通发票"}, True),
    ("motor vehicle with a 数电 number", {"kind": "机动车销售统一发票"}, False),
]


class Source:
    def __init__(self, keys):
        self.columns = {k: i for i, k in enumerate(keys)}


def _run(seller):
    run = ReconciliationRun.objects.create(seller=seller, period_start=dt.date(2026, 1, 1),
                                           period_end=dt.date(2026, 12, 31), file="x.csv")
    run = ReconciliationRun.objects.select_related("seller").get(pk=run.pk)
    staging.create(run.pk, 1)
    raw.create(run, 1)
    return run


def _result(run, plain_lane=True):
    raw.prepare(run, 0, plain_lane=plain_lane)
    staged = raw.staged_rows(run.pk)
    bad = list(Discrepancy.objects.filter(run=run).order_by("row_no")
               .values_list("row_no", "kind", "number", "detail", "platform_data"))
    return staged, bad


def _load(seller, rows, keys, *, plain_lane):
    """Through the csv-module lane; with plain_lane=False every row goes through the full pipeline."""
    run = _run(seller)
    with transaction.atomic():
        load_sql.load_chunk(run, Source(keys), [[r[k] for k in keys] for r in rows], 1)
        return _result(run, plain_lane)


def _csv(rows, keys):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([HEADERS[k][0] for k in keys])
    writer.writerows([[r[k] for k in keys] for r in rows])
    return buffer.getvalue().encode()


def _load_blocks(seller, rows, keys):
    """As the runner loads a CSV: the block lane, or where it refuses the block, the csv-module lane."""
    run = _run(seller)
    source = open_source(io.BytesIO(_csv(rows, keys)))
    with transaction.atomic():
        if load_block.load_block(run, source, 0, 1000, 1) is None:
            load_sql.load_chunk(run, source, source.rows(0, 1000), 1)
        return _result(run)


def _lane(seller, row):
    """Whether the plain lane takes the row."""
    run = _run(seller)
    with transaction.atomic():
        load_sql.load_chunk(run, Source(KEYS), [[row[k] for k in KEYS]], 1)
        raw.prepare(run, 0)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT plain FROM {staging.keys(run, 0)}")
            return cursor.fetchone()[0]


def test_every_variant_stages_the_same_in_every_lane(seller):
    rows = [{**base(seller), **changes, "seq": str(n)} for n, (_label, changes, _plain) in enumerate(VARIANTS, 1)]
    full = _load(seller, rows, KEYS, plain_lane=False)
    assert _load(seller, rows, KEYS, plain_lane=True) == full
    assert _load_blocks(seller, rows, KEYS) == full
    lanes = {label: _lane(seller, {**base(seller), **changes}) for label, changes, _plain in VARIANTS}
    assert lanes == {label: plain for label, _changes, plain in VARIANTS}


def test_a_file_without_some_columns_goes_the_same_way(seller):
    keys = [k for k in KEYS if k not in ("digital_number", "positive", "drawer", "seq")]
    rows = [{**base(seller), **LEGACY}, {**base(seller), "number": "26112000000000000002"}]
    full = _load(seller, rows, keys, plain_lane=False)
    assert _load(seller, rows, keys, plain_lane=True) == full
    assert _load_blocks(seller, rows, keys) == full
    run = _run(seller)
    load_sql.load_chunk(run, Source(keys), [[r[k] for k in keys] for r in rows], 1)
    raw.prepare(run, 0)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {staging.keys(run, 0)} WHERE plain")
        assert cursor.fetchone()[0] == 2


CELL = {
    "digital_number": st.sampled_from(["26112000000000000001", "", "2611200000000000000", "2.6112E+19",
                                       "26112000000000000001.0", " 26112000000000000001"]),
    "number": st.sampled_from(["", "12345678", "26112000000000000001", "1234567"]),
    "code": st.sampled_from(["", "011002500111", "1100253130", "01100250011"]),
    "kind": st.sampled_from(["数电发票（普通发票）", "数电发票(专用发票)", "增值税电子普通发票", "增值税专用发票", "x"]),
    "issued_at": st.one_of(st.sampled_from(["2026-10-05 10:00:00", "2026-10-05", "2028-02-29", "2026-02-29",
                                            "2026-06-31 10:00:00", "2026-10-05 23:60:00"]),
                           st.from_regex(r"\A20[0-9][0-9]-[01][0-9]-[0-3][0-9]( [0-2][0-9]:[0-6][0-9]:[0-6][0-9])?\Z")),
    "amount": st.one_of(st.sampled_from(["100.00", "-0.50", "0.00", "1e2", "１００.００"]),
                        st.from_regex(r"\A-?[0-9]{1,16}\.[0-9]{1,3}\Z")),
    "status": st.sampled_from(["正常", "已作废", "03", "04", "已红冲-部分", "作废"]),
    "positive": st.sampled_from(["", "是", "否", "Y", "N", "n", "x"]),
    "buyer_tax_id": st.sampled_from([BUYER, "", BUYER.lower(), "91110108MA01ABCD3Ｘ"]),
}


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.fixed_dictionaries(CELL), min_size=1, max_size=8))
def test_generated_rows_stage_the_same_with_and_without_the_plain_lane(seller, cells):
    rows = [{**base(seller), **c, "seq": str(n)} for n, c in enumerate(cells, 1)]
    full = _load(seller, rows, KEYS, plain_lane=False)
    assert _load(seller, rows, KEYS, plain_lane=True) == full
    assert _load_blocks(seller, rows, KEYS) == full
