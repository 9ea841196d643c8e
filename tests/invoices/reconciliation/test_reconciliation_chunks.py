"""Reconciliation in bounded chunks: every chunk is its own task under the cluster's timeout, saves its progress
with its work, queues the next one, and a redelivered chunk does nothing."""
import pytest
from django.conf import settings as django_settings
from django.db import connection

from invoices.ledger.models import InvoiceEvent, SyncStatus
from invoices.platform.export_writer import invoice_row
from invoices.reconciliation import jobs
from invoices.reconciliation.models import (
    Discrepancy,
    DiscrepancyKind,
    RunPhase,
    RunStatus,
)
from invoices.reconciliation.pipeline import params, runner
from invoices.reconciliation.services.apply import reconciliation_apply
from invoices.reconciliation.services.runs import reconciliation_start

from ...recon_helpers import PERIOD, ledger, rows_for, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_no_task_outlives_the_cluster_retry():
    assert not hasattr(django_settings, "RECONCILIATION_TASK_TIMEOUT")
    assert django_settings.Q_CLUSTER["timeout"] < django_settings.Q_CLUSTER["retry"]


@pytest.mark.parametrize("fmt", ["csv-bom", "csv-gb18030", "xlsx"])
def test_tiny_chunks_queue_each_other_and_give_the_same_result(fmt, settings, seller, customer, finance_user,
                                                                 django_capture_on_commit_callbacks):
    settings.RECONCILIATION_CHUNK_ROWS = settings.RECONCILIATION_PART_ROWS = 2
    invoices = ledger(seller, customer, n=7)
    rows = rows_for(invoices[:6])  # invoices[6] is missing on the platform
    rows[1] = invoice_row(invoices[1], total="999.99")
    rows.insert(3, invoice_row(invoices[2], kind="二手车销售统一发票"))  # unreadable, in the middle chunk
    rows.append(invoice_row(invoices[0], digital_number="26112000000099999999"))  # on the platform only
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = reconciliation_start(actor=finance_user, seller=seller, period_start=PERIOD[0], period_end=PERIOD[1],
                                   file=upload(rows, fmt))
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    # 8 rows in chunks of 2: 4 load chunks (+1 finding the end), then one match chunk per part (PostgreSQL: 4,
    # so that a part holds at most 2 rows a side, after 4 chunks copying the 7 invoices of the period into parts
    # of their own; SQLite: always 1 part, compared with the ledger itself). The upload queues the first.
    # (An XLSX written without a recorded dimension has its row count guessed from its size, so more parts.)
    if fmt != "xlsx":
        assert run.parts == (4 if connection.vendor == "postgresql" else 1)
    ledger_chunks = 4 if run.parts > 1 else 0
    assert len(callbacks) == 1 + 5 + ledger_chunks + run.parts - 1
    assert run.rows_read == 8 and run.rows_matched == 5 and run.ledger_invoices == 7
    counts = run.counts()
    assert counts[DiscrepancyKind.AMOUNT_MISMATCH] == 1 and counts[DiscrepancyKind.UNREADABLE] == 1
    assert counts[DiscrepancyKind.MISSING_IN_LEDGER] == 1 and counts[DiscrepancyKind.MISSING_ON_PLATFORM] == 1
    assert Discrepancy.objects.filter(run=run).count() == 4
    bad = Discrepancy.objects.get(run=run, kind=DiscrepancyKind.UNREADABLE)
    assert bad.row_no == 4 and "发票票种" in bad.detail
    assert sorted(Discrepancy.objects.filter(run=run).values_list("row_no", flat=True).exclude(row_no=None)) == [2, 4, 8]
    invoices[6].refresh_from_db()
    assert invoices[6].sync_status == SyncStatus.PENDING  # proposed, not applied
    assert run.proposal["changes"][SyncStatus.MISSING]["samples"] == [invoices[6].number]
    reconciliation_apply(run=run, actor=finance_user)
    invoices[6].refresh_from_db()
    assert invoices[6].sync_status == SyncStatus.MISSING


def test_a_redelivered_chunk_does_nothing(settings, seller, customer, finance_user):
    settings.RECONCILIATION_CHUNK_ROWS = settings.RECONCILIATION_PART_ROWS = 2
    invoices = ledger(seller, customer, n=5)
    rows = rows_for(invoices[:4])
    rows[0] = invoice_row(invoices[0], total="1.00")
    run = reconciliation_start(actor=finance_user, seller=seller, period_start=PERIOD[0], period_end=PERIOD[1],
                               file=upload(rows))
    assert runner.claim(run.pk) and not runner.claim(run.pk)
    first = runner.run_chunk(run.pk, RunPhase.LOAD, 0, queue_next=False)
    assert first[0] == RunPhase.LOAD and first[1] > 0
    run.refresh_from_db()
    assert (run.phase, run.position, run.rows_read) == (RunPhase.LOAD, first[1], 2)
    # The broker hands the first chunk out again: nothing is loaded twice, the run does not move.
    assert jobs.reconcile_chunk(run_id=run.pk, phase=RunPhase.LOAD.value, position=0).endswith("→ end")
    run.refresh_from_db()
    assert (run.phase, run.position, run.rows_read) == (RunPhase.LOAD, first[1], 2)
    step = first
    seen = []
    while step:
        seen.append(step)
        step = runner.run_chunk(run.pk, *step, queue_next=False)
    # Every chunk of a finished run, delivered again, is a no-op too.
    for phase, position in seen:
        assert runner.run_chunk(run.pk, phase, position, queue_next=False) is None
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.rows_read == 4 and run.rows_matched == 3
    assert run.counts()[DiscrepancyKind.AMOUNT_MISMATCH] == 1 and run.counts()[DiscrepancyKind.MISSING_ON_PLATFORM] == 1
    assert Discrepancy.objects.filter(run=run).count() == 2
    assert not InvoiceEvent.objects.filter(invoice=invoices[4], kind="reconciled").exists()
    reconciliation_apply(run=run, actor=finance_user)
    assert InvoiceEvent.objects.filter(invoice=invoices[4], kind="reconciled").count() == 1
    assert {p for p, _pos in seen} == ({RunPhase.LOAD, RunPhase.LEDGER, RunPhase.MATCH} if run.parts > 1
                                       else {RunPhase.LOAD, RunPhase.MATCH})


def test_the_sql_character_sets_match_pythons_tables():
    assert params.INVISIBLE_CLASS == params.invisible_class()
    assert params.STRIP_CHARS == params.strip_chars()


def test_the_run_page_says_which_step_a_running_run_is_at(settings, seller, customer, finance_user):
    from invoices.reconciliation.admin import ReconciliationRunAdmin
    from invoices.reconciliation.models import ReconciliationRun

    settings.RECONCILIATION_CHUNK_ROWS = settings.RECONCILIATION_PART_ROWS = 2
    invoices = ledger(seller, customer, n=5)
    run = reconciliation_start(actor=finance_user, seller=seller, period_start=PERIOD[0], period_end=PERIOD[1],
                               file=upload(rows_for(invoices)))
    assert runner.claim(run.pk)
    step = (RunPhase.LOAD, 0)
    progress = ReconciliationRunAdmin(ReconciliationRun, None).progress
    seen = set()
    while step:
        run.refresh_from_db()
        seen.add(progress(run))
        step = runner.run_chunk(run.pk, *step, queue_next=False)
    assert "running (loading the file): 0 rows read so far" in seen
    if run.parts > 1:  # PostgreSQL: the ledger is copied into parts, then each part is compared
        assert "running (reading the ledger for the period): 5 rows read so far" in seen
        assert f"running (comparing the export with the ledger, part 2 of {run.parts}): 5 rows read so far" in seen
    else:
        assert "running (comparing the export with the ledger): 5 rows read so far" in seen
