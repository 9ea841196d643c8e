"""Issue 27 in the reconciliation: the export's other 票种 (数电纸质, 卷票, 机动车) are read, a red row names a legacy
original by 发票代码 and 号码 (written by the same function the red invoice's remarks come from, and parsed back), and
发票风险等级 is kept on the invoice, with an incident for finance when the platform flags one. Runs on SQLite (the
Python path) and, with DATABASE_URL on PostgreSQL, through the SQL lanes."""
import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from incidents.models import Incident, IncidentCategory, IncidentEvent, IncidentStatus
from invoices.ledger.models import Direction, Invoice, InvoiceEvent, InvoiceKind, RiskLevel
from invoices.ledger.services.issue import invoice_issue
from invoices.platform.export_vocab import KIND_LABELS, RedLink, find_red_link, red_link_text
from invoices.platform.export_writer import invoice_row
from invoices.reconciliation.models import Discrepancy, DiscrepancyKind, RunStatus
from invoices.reconciliation.pipeline.runner import execute
from invoices.reconciliation.services.discrepancies import manual_entry_plan
from invoices.reconciliation.services.runs import reconciliation_start
from invoices.reconciliation.written import platform_rows
from invoices.reissue.services.plan import correction_kind, red_remarks

from ... import factories
from ...recon_helpers import PERIOD, at, ledger, legacy, rows_for, upload

pytestmark = pytest.mark.django_db
FORM = "1100252610000012"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def run_file(seller, actor, file, exported_at=None):
    run = reconciliation_start(actor=actor, seller=seller, period_start=PERIOD[0], period_end=PERIOD[1], file=file,
                               exported_at=exported_at)
    execute(run.pk, chunk_rows=4)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    return run


def red_of_legacy(blue):
    """A legacy original is red-flushed on the 数电 platform (reissue.plan.correction_kind)."""
    line = blue.lines.get()
    return invoice_issue(actor=None, seller=blue.seller, buyer=blue.buyer, kind=correction_kind(blue.kind),
                         direction=Direction.RED, original=blue, issued_at=blue.issued_at + dt.timedelta(days=1),
                         lines=[{"name": line.name, "tax_code": line.tax_code, "amount": -line.amount,
                                 "tax_rate": line.tax_rate, "tax_amount": -line.tax_amount}])


def unreadable(run):
    return {d.row_no: d.detail for d in Discrepancy.objects.filter(run=run, kind=DiscrepancyKind.UNREADABLE)}


# --- legacy remarks, both ways ---------------------------------------------------------------------------------
@pytest.mark.parametrize("remarks, link", [
    ("被红冲蓝字数电发票号码：26117000000012345678 红字发票信息确认单编号：1", RedLink("", "26117000000012345678")),
    ("被红冲蓝字数电票号码:26117000000012345678", RedLink("", "26117000000012345678")),
    ("被红冲蓝字全电发票号码：26117000000012345678", RedLink("", "26117000000012345678")),
    ("被红冲蓝字全电票号码 26117000000012345678", RedLink("", "26117000000012345678")),
    ("被红冲蓝字发票代码：011001900111 号码：12345678", RedLink("011001900111", "12345678")),
    ("退货 被红冲蓝字发票代码 ： 1100222130，号码：12345678 红字发票信息确认单编号：1", RedLink("1100222130", "12345678")),
    ("被红冲蓝字发票代码：011001900111\u3000发票号码：12345678", RedLink("011001900111", "12345678")),
    ("被红冲蓝字发票代码：0110019001111 号码：12345678", RedLink("", "")),  # a 13-digit code is no code
    ("销售折让", RedLink("", "")),
    ("", RedLink("", "")),
])
def test_every_wording_of_the_link_is_parsed(remarks, link):
    assert find_red_link(remarks) == link


def test_a_legacy_original_is_named_by_code_and_number_never_as_a_digital_number():
    paper = SimpleNamespace(code="1100222130", number="01234567")
    text = red_remarks(paper, FORM)
    assert text == f"被红冲蓝字发票代码：1100222130 号码：01234567 红字发票信息确认单编号：{FORM}"
    assert "数电" not in text
    assert find_red_link(text) == RedLink("1100222130", "01234567")
    digital = SimpleNamespace(code="", number="26117000000012345678")
    assert red_remarks(digital, FORM) == f"被红冲蓝字数电发票号码：26117000000012345678 红字发票信息确认单编号：{FORM}"
    assert find_red_link(red_remarks(digital, FORM)) == RedLink("", "26117000000012345678")
    assert red_link_text(code="", number="26117000000012345678") == "被红冲蓝字数电发票号码：26117000000012345678"


def test_the_export_writer_links_a_red_row_to_its_legacy_original(seller, customer):
    blue = legacy(seller, customer)
    red = red_of_legacy(blue)
    row = invoice_row(red)
    assert row["备注"].startswith("被红冲蓝字发票代码：011002500111 号码：12345678")
    assert find_red_link(row["备注"]) == RedLink(blue.code, blue.number)


@pytest.mark.parametrize("fmt", ["csv-gb18030", "xlsx"])
def test_a_red_row_of_a_legacy_original_links_to_it_in_a_run_and_in_its_manual_entry(fmt, seller, customer,
                                                                                      finance_user):
    """In the ledger, the red row matches its invoice; on the platform only, its row reaches the discrepancy with
    the original's code and number, and 补录 finds the original by both (not another code's invoice of that number)."""
    blue = legacy(seller, customer)
    red = red_of_legacy(blue)
    blue.refresh_from_db()  # red-flushed now
    run = run_file(seller, finance_user, upload(rows_for([blue, red]), fmt))
    assert list(Discrepancy.objects.filter(run=run).values_list("kind", "detail")) == []
    assert run.rows_matched == 2

    other = factories.seller()
    factories.invoice(seller_obj=other, buyer=customer, kind=InvoiceKind.VAT_ELECTRONIC_GENERAL, code="011002500222",
                      number="87654321", issued_at=at(2), lines=[factories.line("50.00")])
    blue2 = legacy(other, customer, number="87654321")
    row = invoice_row(blue2, number="87654322", amount="-50.00", tax_amount="-6.50", total="-56.50", positive="否",
                      remarks=red_remarks(blue2, FORM))
    run = run_file(other, finance_user, upload([invoice_row(blue2), row], fmt))
    missing = Discrepancy.objects.get(run=run, kind=DiscrepancyKind.MISSING_IN_LEDGER)
    assert missing.platform_data["original_code"] == "011002500111"
    assert missing.platform_data["original_number"] == "87654321"
    assert missing.platform_data["direction"] == "red"
    assert manual_entry_plan(missing)["original"] == blue2
    with translation.override("zh-hans"):
        shown = dict(platform_rows(missing.platform_data))
    assert shown["原发票代码"] == "011002500111" and shown["原发票号码"] == "87654321"


# --- the export's other 票种 -----------------------------------------------------------------------------------
NEW_KINDS = [
    (InvoiceKind.DIGITAL_PAPER_SPECIAL, "", "26112000000000000101"),
    (InvoiceKind.DIGITAL_PAPER_GENERAL, "", "26112000000000000102"),
    (InvoiceKind.DIGITAL_MOTOR_VEHICLE, "", "26112000000000000103"),
    (InvoiceKind.VAT_GENERAL_ROLL, "011001900411", "00000104"),
    (InvoiceKind.MOTOR_VEHICLE, "111001922071", "00000105"),
]


@pytest.mark.parametrize("fmt", ["csv-utf8", "xlsx"])
def test_every_new_kind_and_each_of_its_labels_is_read_and_matched(fmt, seller, customer, finance_user):
    invoices = [factories.invoice(seller_obj=seller, buyer=customer, kind=kind, code=code, number=number,
                                  issued_at=at(5 + i), lines=[factories.line("200.00")])
                for i, (kind, code, number) in enumerate(NEW_KINDS)]
    rows = rows_for(invoices)
    # Each further label of the kind (数电票（…）, 全电…, 卷式) as a row of a ledger invoice of that kind.
    seq = len(rows)
    for invoice in list(invoices):
        for label in KIND_LABELS[invoice.kind][1:]:
            seq += 1
            number = f"{int(invoice.number) + 1000 * seq:0{len(invoice.number)}d}"
            twin = factories.invoice(seller_obj=seller, buyer=customer, kind=invoice.kind, code=invoice.code,
                                     number=number, issued_at=at(12), lines=[factories.line("20.00")])
            rows.append(invoice_row(twin, seq=seq, kind=label))
            invoices.append(twin)
    # A paper 普票 of before 2018 carries a 10-digit code: not in the ledger, but read.
    rows.append(invoice_row(invoices[0], code="1100171320", number="00000106", digital_number="",
                            kind="增值税普通发票", total="1.00"))
    run = run_file(seller, finance_user, upload(rows, fmt))
    assert not unreadable(run)
    assert run.rows_read == len(invoices) + 1 and run.rows_matched == len(invoices)
    missing = Discrepancy.objects.get(run=run, kind=DiscrepancyKind.MISSING_IN_LEDGER)
    assert missing.number == "1100171320-00000106" and missing.platform_data["kind"] == InvoiceKind.VAT_GENERAL


@pytest.mark.parametrize("kind, changes, why", [
    ("机动车销售统一发票", {"code": "", "digital_number": "26112000000000000105"}, "发票代码"),
    ("增值税普通发票（卷票）", {"code": "01100190041", "number": "00000104"}, "发票代码"),
    ("数电发票（机动车销售统一发票）", {"code": "111001922071", "number": "00000105", "digital_number": ""}, "20"),
])
def test_a_row_whose_numbers_do_not_fit_its_kind_is_refused(kind, changes, why, seller, customer, finance_user):
    invoice = ledger(seller, customer, n=1)[0]
    run = run_file(seller, finance_user, upload([invoice_row(invoice, kind=kind, **changes)], "csv-utf8"))
    assert why in unreadable(run)[1]


# --- 发票风险等级 ----------------------------------------------------------------------------------------------
def _risks(invoices):
    return [Invoice.objects.get(pk=i.pk).risk_level for i in invoices]


@pytest.mark.parametrize("fmt", ["csv-bom", "xlsx"])
def test_the_platforms_risk_level_is_kept_with_an_event_and_one_incident_per_invoice(
        fmt, seller, customer, finance_user, django_capture_on_commit_callbacks):
    invoices = ledger(seller, customer, n=4)
    rows = rows_for(invoices)
    rows[0]["发票风险等级"] = "异常凭证"
    rows[1]["发票风险等级"] = "疑点发票"
    rows[3]["发票风险等级"] = ""  # says nothing
    with django_capture_on_commit_callbacks(execute=True):
        run = run_file(seller, finance_user, upload(rows, fmt))
    assert _risks(invoices) == [RiskLevel.ABNORMAL, RiskLevel.SUSPICIOUS, RiskLevel.NORMAL, RiskLevel.NORMAL]
    assert run.rows_matched == 4 and not Discrepancy.objects.filter(run=run).exists()  # no discrepancy
    event = InvoiceEvent.objects.get(invoice=invoices[0], message_code="invoice.reconciliation.risk")
    assert event.params == {"run": run.pk, "to": "abnormal", "was": "normal"} and event.data["run_id"] == run.pk
    assert "异常凭证" in event.text
    assert not InvoiceEvent.objects.filter(invoice__in=invoices[2:], message_code="invoice.reconciliation.risk")

    incidents = Incident.objects.filter(category=IncidentCategory.INVOICE_RISK).order_by("id")
    assert [list(i.invoices.values_list("pk", flat=True)) for i in incidents] == [[invoices[0].pk],
                                                                                  [invoices[1].pk]]
    first = incidents[0]
    assert first.customer == customer and first.seller == seller and invoices[0].number in first.title
    assert "电子税务局 → 发票风险/异常凭证 处理" in first.description and "异常凭证" in first.description
    assert first.steps.count() == 5  # the category's playbook

    # The next export: invoice 1 escalates to 异常凭证 (its open incident hears of it, no second one), invoice 0 is
    # still flagged (nothing changes, nothing is sent), invoice 2 is cleared.
    rows[1]["发票风险等级"] = "异常凭证"
    with django_capture_on_commit_callbacks(execute=True):
        run2 = run_file(seller, finance_user, upload(rows, fmt))
    assert _risks(invoices)[:2] == [RiskLevel.ABNORMAL, RiskLevel.ABNORMAL]
    assert Incident.objects.filter(category=IncidentCategory.INVOICE_RISK).count() == 2
    assert IncidentEvent.objects.filter(incident=incidents[1], message_code="incident.invoice_risk").count() == 2
    assert IncidentEvent.objects.filter(incident=first, message_code="incident.invoice_risk").count() == 1
    assert InvoiceEvent.objects.filter(invoice=invoices[0], message_code="invoice.reconciliation.risk").count() == 1
    assert run2.status == RunStatus.DONE


def test_a_flag_after_the_incident_closed_opens_a_new_one(seller, customer, finance_user,
                                                          django_capture_on_commit_callbacks):
    invoice = ledger(seller, customer, n=1)[0]
    rows = rows_for([invoice])
    for level, label in (("suspicious", "疑点发票"), ("normal", "正常")):
        rows[0]["发票风险等级"] = label
        with django_capture_on_commit_callbacks(execute=True):
            run_file(seller, finance_user, upload(rows, "csv-utf8"))
        assert Invoice.objects.get(pk=invoice.pk).risk_level == level
    Incident.objects.filter(category=IncidentCategory.INVOICE_RISK).update(status=IncidentStatus.RESOLVED,
                                                                            root_cause="核实通过", resolution="已答复税务局")
    rows[0]["发票风险等级"] = "异常凭证"
    with django_capture_on_commit_callbacks(execute=True):
        run_file(seller, finance_user, upload(rows, "csv-utf8"))
    assert Incident.objects.filter(category=IncidentCategory.INVOICE_RISK, invoices=invoice).count() == 2


def test_an_older_export_does_not_undo_a_newer_ones_flag(seller, customer, finance_user):
    invoice = ledger(seller, customer, n=1)[0]
    rows = rows_for([invoice])
    rows[0]["发票风险等级"] = "异常凭证"
    run_file(seller, finance_user, upload(rows, "csv-utf8"))
    rows[0]["发票风险等级"] = "正常"
    older = timezone.make_aware(dt.datetime(2026, 11, 1, 9, 0))
    run_file(seller, finance_user, upload(rows, "csv-utf8"), exported_at=older)
    assert Invoice.objects.get(pk=invoice.pk).risk_level == RiskLevel.ABNORMAL
    run_file(seller, finance_user, upload(rows, "csv-utf8"))  # a newer one clears it
    assert Invoice.objects.get(pk=invoice.pk).risk_level == RiskLevel.NORMAL


def test_an_unknown_risk_level_is_refused_and_the_writer_writes_the_ledgers(seller, customer, finance_user):
    invoices = ledger(seller, customer, n=2)
    Invoice.objects.filter(pk=invoices[0].pk).update(risk_level=RiskLevel.SUSPICIOUS)
    rows = rows_for([Invoice.objects.get(pk=invoices[0].pk), invoices[1]])
    assert [r["发票风险等级"] for r in rows] == ["疑点发票", "正常"]
    rows[1]["发票风险等级"] = "高风险"
    run = run_file(seller, finance_user, upload(rows, "csv-utf8"))
    assert unreadable(run) == {2: "Unknown 发票风险等级 高风险."}
    assert Invoice.objects.get(pk=invoices[0].pk).risk_level == RiskLevel.SUSPICIOUS


# --- shown in the admin list and the API ------------------------------------------------------------------------
def test_the_invoice_list_shows_and_filters_flagged_invoices(client, seller, customer, finance_user):
    invoices = ledger(seller, customer, n=3)
    Invoice.objects.filter(pk=invoices[0].pk).update(risk_level=RiskLevel.ABNORMAL)
    Invoice.objects.filter(pk=invoices[1].pk).update(risk_level=RiskLevel.SUSPICIOUS)
    client.force_login(finance_user)
    url = reverse("admin:invoices_invoice_changelist")

    def listed(**params):
        page = client.get(url, params)
        assert page.status_code == 200
        return sorted(i.pk for i in page.context["cl"].result_list), page.content.decode()

    found, html = listed(risk="flagged")
    assert found == sorted([invoices[0].pk, invoices[1].pk])
    assert "异常凭证" in html and "疑点发票" in html and "风险等级" in html
    assert listed(risk="abnormal")[0] == [invoices[0].pk]
    assert listed(risk="normal")[0] == [invoices[2].pk]
    cells = [c for c in listed()[1].split("<tr") if invoices[2].number in c]
    assert cells and "异常凭证" not in cells[0] and "疑点发票" not in cells[0]  # a normal invoice's cell is empty


def test_the_api_returns_the_risk_level_read_only(api_as, seller, customer, finance_user):
    invoice = ledger(seller, customer, n=1)[0]
    Invoice.objects.filter(pk=invoice.pk).update(risk_level=RiskLevel.ABNORMAL)
    client = api_as(finance_user)
    assert client.get(f"/api/v1/invoices/{invoice.pk}/").json()["risk_level"] == "abnormal"
    listed = client.get("/api/v1/invoices/", {"risk_level": "abnormal"}).json()
    results = listed["results"] if isinstance(listed, dict) else listed
    assert [r["number"] for r in results] == [invoice.number]
    client.patch(f"/api/v1/invoices/{invoice.pk}/", {"risk_level": "normal"}, format="json")
    assert Invoice.objects.get(pk=invoice.pk).risk_level == RiskLevel.ABNORMAL


# --- the Python path (SQLite) and PostgreSQL's SQL agree -------------------------------------------------------
# PostgreSQL's staging columns are numeric(16, 2), so it refuses larger amounts; SQLite's hold them.
SQL_ONLY = {"15 integer digits"}


@pytest.mark.postgres
def test_the_python_path_reads_every_variant_as_the_sql_pipeline_does(seller):
    """reader.parse_row (the SQLite path) against load_sql's full pipeline, row by row: the same staged values
    (link code and number, kind, risk level…) and the same reason for a row neither can read."""
    from invoices.reconciliation.pipeline.reader import parse_row
    from invoices.reconciliation.pipeline.staging import staging_tuple

    from .test_reconciliation_fast_lane import KEYS, VARIANTS, _load, base

    rows = [{**base(seller), **changes, "seq": str(n)} for n, (_label, changes, _plain) in enumerate(VARIANTS, 1)]
    staged, bad = _load(seller, rows, KEYS, plain_lane=False)
    sql = {row[0]: row for row in staged} | {row_no: detail for row_no, _kind, _number, detail, _data in bad}
    for row_no, row in enumerate(rows, 1):
        if VARIANTS[row_no - 1][0] in SQL_ONLY:
            continue
        parsed, reason = parse_row({k: row[k] for k in KEYS})
        if parsed is not None and parsed.seller_tax_id not in ("", seller.tax_id):
            parsed, reason = None, sql[row_no]  # the seller check is load_python's, not parse_row's
        assert (staging_tuple(row_no, parsed) if parsed else reason) == sql[row_no], VARIANTS[row_no - 1][0]
    links = {VARIANTS[r[0] - 1][0]: (r[-2], r[12]) for r in staged if r[12]}
    assert links["red row of a legacy original"] == ("011002500111", "12345670")
    assert links["legacy link, spaces, full-width colon, comma"] == ("1100253130", "12345670")
    assert links["全电票 link"] == ("", "26112000000000000009")


def test_a_reissued_legacy_originals_red_invoice_names_it_by_code_and_number_and_reconciles(
        seller, customer, finance_user, finance_user2, django_capture_on_commit_callbacks):
    """Through the reissue chain on the loopback platform: the red invoice's 备注 as the ledger holds it, then its
    export row read back by a run (the writer leaves a 备注 that already holds the link alone)."""
    from invoices.ledger.models import SyncStatus

    from ...files_helpers import on_platform
    from ...reissue_helpers import approve_and_complete, request_full

    paper = invoice_issue(actor=None, seller=seller, buyer=customer, kind=InvoiceKind.VAT_SPECIAL, code="1100222130",
                          number="01234567", lines=[factories.line("1000.00", "0.13")], sync_status=SyncStatus.SYNCED)
    on_platform(paper)
    req = approve_and_complete(request_full(paper, finance_user), finance_user2, django_capture_on_commit_callbacks)
    red = req.red_invoice
    assert red.remarks == ("被红冲蓝字发票代码：1100222130 号码：01234567 "
                           f"红字发票信息确认单编号：{req.red_letter_form.number}")
    row = invoice_row(red)
    assert row["备注"] == red.remarks and find_red_link(row["备注"]) == RedLink("1100222130", "01234567")
    Invoice.objects.filter(pk=red.pk).update(issued_at=at(7))  # into the run's period
    red.refresh_from_db()
    run = run_file(seller, finance_user, upload([invoice_row(red)], "csv-utf8"))
    assert not Discrepancy.objects.filter(run=run).exists() and run.rows_matched == 1


def test_the_incident_job_run_twice_records_the_flag_once(seller, customer):
    """The spine may run a job twice (a lapsed lease): still one incident, one timeline entry for the run."""
    from incidents.jobs import invoice_risk_flagged

    invoice = ledger(seller, customer, n=1)[0]
    for _attempt in range(2):
        invoice_risk_flagged(invoice_id=invoice.pk, risk_level="abnormal", previous="normal", run_id=7)
    incident = Incident.objects.get(category=IncidentCategory.INVOICE_RISK)
    assert IncidentEvent.objects.filter(incident=incident, message_code="incident.invoice_risk").count() == 1
    assert incident.severity == "sev2" and incident.source_key == f"invoice_risk:{invoice.pk}"
