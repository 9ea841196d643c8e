"""Invoice import through the validated path (InvoiceResource → invoice_issue_batch), timed in rows/s, with the
arguments the admin's import screen passes (one transaction, rolled back on any invalid row).

Everything runs in one outer transaction that is rolled back: the benchmark leaves the ledger as it was. The
commit hooks the import registered (invoice_issued signals, the sync fan-out) would run in the admin's request
right after its commit; they are run and timed too, inside the transaction, when the task broker is the
database (their queue rows roll back with the rest). With another broker they are left out and reported so."""
import logging
import time
from datetime import datetime, timedelta

import tablib
from django.db import connection, transaction
from django_q.conf import Conf, logger

from invoices.ledger.models import Customer, Seller
from invoices.ledger.resources import INVOICE_COLUMNS, LINE_COLUMNS, InvoiceResource


class _Rollback(Exception):
    pass


def _dataset(rows, seller, buyers):
    data = tablib.Dataset(headers=INVOICE_COLUMNS + LINE_COLUMNS)
    # A year the fixture data never covers (issue dates must lie between 2000 and tomorrow), so its numbers
    # ("01" + region + channel + sequence) clash with none.
    start = datetime(2001, 3, 1, 9, 0)
    for n in range(rows):
        invoice_no, line_no = divmod(n, 2)  # two lines per invoice
        buyer = buyers[invoice_no % len(buyers)]
        number = f"01{seller.region_code}2{900_000_000_000_000 + invoice_no:015d}"
        data.append(["", number, "digital_general", seller.tax_id, buyer.tax_id, buyer.name,
                     (start + timedelta(seconds=invoice_no)).strftime("%Y-%m-%d %H:%M:%S"), "李娜", "",
                     line_no + 1, "*计算机*笔记本电脑", "1090501000000000000", "", "台", "3", "100.00", "300.00", "0.13",
                     "39.00", "0"])
    return data


def _run_commit_hooks():
    """Run the hooks waiting for the outer commit, as Django would after it; None if they cannot be run safely
    inside the rolled-back transaction (a broker outside the database would keep what they queue)."""
    if not Conf.ORM or Conf.SYNC:
        return None
    hooks = list(connection.run_on_commit)
    connection.run_on_commit = []
    quiet = logger.level
    logger.setLevel(logging.WARNING)  # not one "Enqueued" line per fan-out task
    try:
        for _sids, func, _robust in hooks:
            func()
    finally:
        logger.setLevel(quiet)
    return len(hooks)


def run_import(*, rows, user):
    """Returns (rows, seconds including the commit hooks, seconds of the hooks alone, hooks run or None)."""
    seller = Seller.objects.order_by("id").first()
    buyers = list(Customer.objects.exclude(tax_id="").order_by("id")[:50])
    data = _dataset(rows, seller, buyers)
    result = None
    t0 = time.perf_counter()
    try:
        with transaction.atomic():
            result = InvoiceResource().import_data(data, dry_run=False, user=user, use_transactions=True,
                                                   rollback_on_validation_errors=True, collect_failed_rows=True)
            t1 = time.perf_counter()
            hooks = _run_commit_hooks()
            seconds, hook_seconds = time.perf_counter() - t0, time.perf_counter() - t1
            raise _Rollback
    except _Rollback:
        pass
    if result.has_errors() or result.has_validation_errors():
        raise RuntimeError(f"import bench rows were refused: {result.invalid_rows[:1] or result.row_errors()[:1]}")
    return rows, seconds, hook_seconds, hooks
