"""PostgreSQL: CSV chunks handed to COPY as bytes (load_block) must stage exactly what the csv-module path
stages, under the same row numbers, for every shape of file, including those the block lane refuses (quotes,
blank rows, ragged rows), in chunks small enough that refused and accepted blocks alternate."""
import io

import pytest

from invoices.platform.export_vocab import EXPORT_COLUMNS
from invoices.platform.export_writer import float_damaged, invoice_row
from invoices.reconciliation.models import Discrepancy, ReconciliationRun, RunPhase
from invoices.reconciliation.pipeline import load_block, raw, runner, staging
from invoices.reconciliation.pipeline.source import open_source
from invoices.reconciliation.services.runs import reconciliation_start

from ...recon_helpers import PERIOD, ledger, legacy, upload

pytestmark = [
    pytest.mark.postgres,  # COPY of raw blocks is PostgreSQL's
    pytest.mark.django_db,
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _csv(lines, encoding="utf-8"):
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def _line(values):
    return ",".join(values)


def _rows(seller, customer):
    invoices = ledger(seller, customer, n=6) + [legacy(seller, customer)]
    rows = [invoice_row(inv, seq=i) for i, inv in enumerate(invoices, 1)]
    rows[2] = invoice_row(invoices[2], digital_number=float_damaged(invoices[2].number))
    rows[3] = invoice_row(invoices[3], buyer_tax_id=invoices[3].buyer_tax_id.lower())
    return [[str(r.get(c, "") or "") for c in EXPORT_COLUMNS] for r in rows]


def _staged_after_load(seller, user, content, chunk_rows):
    from django.core.files.uploadedfile import SimpleUploadedFile

    run = reconciliation_start(actor=user, seller=seller, period_start=PERIOD[0], period_end=PERIOD[1],
                               file=SimpleUploadedFile("export.csv", content))
    assert runner.claim(run.pk)
    step = (RunPhase.LOAD, 0)
    while step and step[0] == RunPhase.LOAD:
        step = runner.run_chunk(run.pk, *step, size=chunk_rows, queue_next=False)
    run = ReconciliationRun.objects.select_related("seller").get(pk=run.pk)
    assert run.phase == RunPhase.MATCH, run.error  # one part: no ledger snapshot to take
    unreadable = raw.prepare(run, 0)  # what matching does first
    staged = raw.staged_rows(run.pk)
    bad = list(Discrepancy.objects.filter(run=run).order_by("row_no", "id")
               .values_list("row_no", "kind", "number", "detail", "platform_data"))
    return staged, bad, run.rows_read, unreadable


def _both_ways(settings, seller, user, content, chunk_rows):
    settings.RECONCILIATION_COPY_BLOCKS = True
    fast = _staged_after_load(seller, user, content, chunk_rows)
    settings.RECONCILIATION_COPY_BLOCKS = False
    slow = _staged_after_load(seller, user, content, chunk_rows)
    assert fast == slow
    return fast


def _shapes(header, rows):
    """(label, lines) for every shape of file; each keeps the same data rows."""
    plain = [_line(header)] + [_line(r) for r in rows]
    quoted = list(plain)
    quoted[3] = _line(rows[2][:7] + ['"购买方, 有限公司"'] + rows[2][8:])
    all_blank_cells = plain[:4] + [_line([""] * len(header))] + plain[4:]
    blank_line = plain[:5] + [""] + plain[5:]
    ragged = plain[:2] + [_line(rows[1][:-3])] + plain[3:]
    trailing = plain + ["", "   "]
    reordered_header = [header[i] for i in reversed(range(len(header)))] + ["附加列"]
    reordered = [_line(reordered_header)] + [_line(list(reversed(r)) + ["x"]) for r in rows]
    end_marker = plain[:4] + ["\\.", ] + plain[4:]
    return [("plain", plain), ("a quoted cell", quoted), ("a row of empty cells", all_blank_cells),
            ("a blank line", blank_line), ("a short row", ragged), ("blank lines at the end", trailing),
            ("columns reordered plus one unknown", reordered), ("COPY's end marker", end_marker)]


@pytest.mark.parametrize("chunk_rows", [2, 1000])
def test_every_file_shape_stages_the_same_through_blocks_and_the_csv_module(settings, seller, customer,
                                                                            finance_user, chunk_rows):
    rows = _rows(seller, customer)
    for label, lines in _shapes(EXPORT_COLUMNS, rows):
        for encoding in ("utf-8", "gb18030"):
            staged, bad, read, unreadable = _both_ways(settings, seller, finance_user, _csv(lines, encoding),
                                                       chunk_rows)
            assert read >= len(rows), label
            assert len(staged) + unreadable == read, label


def test_plain_blocks_go_through_copy_and_odd_ones_do_not(seller, customer, finance_user):
    rows = _rows(seller, customer)
    shapes = dict(_shapes(EXPORT_COLUMNS, rows))
    run = reconciliation_start(actor=finance_user, seller=seller, period_start=PERIOD[0], period_end=PERIOD[1],
                               file=upload([]))
    run = ReconciliationRun.objects.select_related("seller").get(pk=run.pk)
    staging.create(run.pk, 1)
    reordered = open_source(io.BytesIO(_csv(shapes["columns reordered plus one unknown"])))
    raw.create(run, 1, load_block.extra_columns(reordered))

    first_row = iter(range(1, 10_000, 100))  # as the runner's chunks, each attempt numbers rows after the last

    def attempt(label):
        source = open_source(io.BytesIO(_csv(shapes[label])))
        return load_block.load_block(run, source, 0, 1000, next(first_row))

    assert attempt("plain") == (len(rows), 0)
    assert attempt("columns reordered plus one unknown") == (len(rows), 0)
    for label in ("a quoted cell", "a row of empty cells", "a blank line", "a short row", "COPY's end marker"):
        assert attempt(label) is None, label
    assert raw.prepare(run, 0) == 2  # the float-damaged number, once per block taken
    assert len(raw.staged_rows(run.pk)) == 2 * (len(rows) - 1)  # what a refused block tried to write was rolled back

