"""Benchmark: reconcile an N-row export against an N-invoice ledger and compare with a plain bulk load."""
import csv
import os
import tempfile
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from invoices.demo import make_uscc
from invoices.ledger.models import Customer, Invoice, InvoiceKind, Seller, SyncStatus
from invoices.platform.export_vocab import EXPORT_COLUMNS
from invoices.platform.export_writer import float_damaged
from invoices.reconciliation.models import ReconciliationRun, RunPhase
from invoices.reconciliation.pipeline.runner import claim, execute, run_chunk

PERIOD_START = date(2030, 1, 1)


class Command(BaseCommand):
    help = (
        "Generate an export of N rows and a matching ledger of N invoices (with some discrepancies), time the "
        "reconciliation, and time a plain load of the same file: COPY into an UNLOGGED table on PostgreSQL, an "
        "executemany INSERT into a temp table on SQLite. Prints rows/s for both and the ratio. "
        "The ledger rows are benchmark fixture data created with bulk_create, bypassing the issue service "
        "(no lines, no events), committed and vacuumed before the run and deleted after it; the run and what it "
        "writes roll back. --keep keeps all of it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--keep", action="store_true", help="Keep the ledger, run and discrepancies.")
        parser.add_argument("--breakdown", action="store_true",
                            help="Also print the time of each phase (load, ledger, match) and the slowest statements.")

    def handle(self, *args, rows, keep, breakdown=False, **options):
        import random

        rng = random.Random(rows)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "export.csv")
            # The ledger is committed and vacuumed first, as a ledger in use is (statistics, visibility map, GIN
            # pending lists folded in); inside a caller's transaction (a test) nothing can be, and it all stays
            # there. The run and everything it writes roll back; the ledger is then deleted, unless --keep.
            with transaction.atomic():
                seller, expected = self._ledger_and_export(rng, rows, path)
            self._settle()
            try:
                with transaction.atomic():
                    t0 = time.perf_counter()
                    run = self._run(seller, path, breakdown)
                    recon = time.perf_counter() - t0
                    t0 = time.perf_counter()
                    self._plain_load(path)
                    plain = time.perf_counter() - t0
                    run.refresh_from_db()
                    run.file.delete(save=False)
                    if not keep:
                        transaction.set_rollback(True)
            finally:
                if not keep:
                    self._remove(seller)
        self.stdout.write(f"database            {connection.vendor}")
        self.stdout.write(f"rows                {rows}")
        self.stdout.write(f"discrepancies       {run.counts()}  (expected {expected})")
        self.stdout.write(f"reconcile           {recon:8.2f} s  {rows / recon:12,.0f} rows/s")
        label = "plain COPY" if connection.vendor == "postgresql" else "plain executemany"
        self.stdout.write(f"{label:<19} {plain:8.2f} s  {rows / plain:12,.0f} rows/s")
        self.stdout.write(f"ratio               {recon / plain:8.2f} × the plain load")

    def _settle(self):
        table = Invoice._meta.db_table
        with connection.cursor() as cursor:
            if connection.in_atomic_block:
                cursor.execute(f"ANALYZE {table}")
                return
            cursor.execute(f"{'VACUUM ' if connection.vendor == 'postgresql' else ''}ANALYZE {table}")
            if connection.vendor == "postgresql":
                # Write out the generated ledger's pages now: left to the checkpointer, that writing competes
                # with the timed run (a ledger in use has no million freshly written rows).
                try:
                    with transaction.atomic():
                        cursor.execute("CHECKPOINT")
                except DatabaseError:  # needs superuser or pg_checkpoint; then the run pays for it
                    pass

    def _remove(self, seller):
        """The ledger, its buyers and its seller (the run, its discrepancies and its status changes rolled back)."""
        with transaction.atomic():
            buyers = list(Invoice.objects.filter(seller=seller).values_list("buyer_id", flat=True).distinct())
            with connection.cursor() as cursor:  # rows nothing points at: no need to collect them one by one
                cursor.execute(f"DELETE FROM {Invoice._meta.db_table} WHERE seller_id = %s", [seller.pk])
            Customer.objects.filter(pk__in=buyers).delete()
            seller.delete()

    def _ledger_and_export(self, rng, n, path):
        tax_id = make_uscc(rng, "91110000")
        leftover = Seller.objects.filter(tax_id=tax_id, name="基准测试销售方").first()
        if leftover is not None:  # an interrupted run's ledger; one kept with --keep has a run and stays
            if ReconciliationRun.objects.filter(seller=leftover).exists():
                raise CommandError(f"A benchmark ledger of {n} rows kept with --keep is still in the database "
                                   f"(seller {leftover.pk}).")
            self._remove(leftover)
        seller = Seller.objects.create(name="基准测试销售方", tax_id=tax_id, region="北京", region_code="11")
        buyers = Customer.objects.bulk_create([Customer(name=f"基准购买方{i}", tax_id=make_uscc(rng)) for i in range(20)])
        start = timezone.make_aware(datetime.combine(PERIOD_START, datetime.min.time()))
        expected = {"missing_on_platform": 0, "missing_in_ledger": 0, "amount_mismatch": 0, "unreadable": 0}
        batch = []
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(EXPORT_COLUMNS)
            for i in range(n):
                buyer = buyers[i % len(buyers)]
                number = f"30112{i + 1:015d}"
                amount = Decimal(1000 + i % 9000) + Decimal("0.25")
                tax = (amount * Decimal("0.13")).quantize(Decimal("0.01"))
                issued = start + timedelta(seconds=i * 2)
                batch.append(Invoice(
                    kind=InvoiceKind.DIGITAL_GENERAL, number=number, issued_at=issued, seller=seller, buyer=buyer,
                    buyer_name=buyer.name, buyer_tax_id=buyer.tax_id, amount=amount, tax_amount=tax,
                    total=amount + tax, sync_status=SyncStatus.SYNCED,
                ))
                if len(batch) == 5000:
                    Invoice.objects.bulk_create(batch)
                    batch = []
                total = amount + tax
                digital = number
                if i % 1000 == 999:  # in the ledger only
                    expected["missing_on_platform"] += 1
                    number = f"30112{n + i + 1:015d}"  # ... and this row is on the platform only
                    digital = number
                    expected["missing_in_ledger"] += 1
                elif i % 997 == 500:
                    total += 1
                    expected["amount_mismatch"] += 1
                elif i % 4999 == 4998:
                    digital = float_damaged(number)
                    expected["unreadable"] += 1
                    expected["missing_on_platform"] += 1
                writer.writerow([
                    i + 1, "", "", digital, seller.tax_id, seller.name, buyer.tax_id, buyer.name,
                    timezone.localtime(issued).strftime("%Y-%m-%d %H:%M:%S"), f"{amount:.2f}", f"{tax:.2f}",
                    f"{total:.2f}", "电子发票服务平台", "数电发票（普通发票）", "正常", "是", "正常", "", "",
                ])
        Invoice.objects.bulk_create(batch)
        return seller, expected

    def _run(self, seller, path, breakdown):
        end = PERIOD_START + timedelta(days=365)
        with open(path, "rb") as fh:
            run = ReconciliationRun(seller=seller, period_start=PERIOD_START, period_end=end, file_name="bench.csv")
            run.file.save("bench.csv", File(fh), save=False)
            run.save()
        if not breakdown:
            execute(run.pk)
            return run
        # What execute() does, timing each chunk by its phase and each statement through an execute wrapper
        # (COPY goes around it: it is in the load phase's time only).
        statements, phases = defaultdict(lambda: [0, 0.0]), defaultdict(float)

        def timed(execute_sql, sql, params, many, context):
            start = time.perf_counter()
            try:
                return execute_sql(sql, params, many, context)
            finally:
                entry = statements[" ".join(sql.split())[:90]]
                entry[0] += 1
                entry[1] += time.perf_counter() - start

        assert claim(run.pk)
        step = (RunPhase.LOAD, 0)
        with connection.execute_wrapper(timed):
            while step:
                start = time.perf_counter()
                phase = step[0]
                step = run_chunk(run.pk, *step, queue_next=False)
                phases[phase] += time.perf_counter() - start
        for phase, seconds in phases.items():
            self.stdout.write(f"phase {phase:<13} {seconds:8.2f} s")
        for sql, (count, seconds) in sorted(statements.items(), key=lambda kv: -kv[1][1])[:8]:
            self.stdout.write(f"{seconds:8.2f} s {count:4d} × {sql}")
        return run

    def _plain_load(self, path):
        cols = ", ".join(f"c{i} text" for i in range(len(EXPORT_COLUMNS)))
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"CREATE UNLOGGED TABLE bench_plain_copy ({cols})")
                with open(path, "rb") as fh, cursor.cursor.copy(
                    "COPY bench_plain_copy FROM STDIN WITH (FORMAT csv, HEADER true)"
                ) as copy:
                    while chunk := fh.read(1 << 20):
                        copy.write(chunk)
                cursor.execute("DROP TABLE bench_plain_copy")
            else:
                cursor.execute(f"CREATE TEMP TABLE bench_plain_copy ({cols})")
                marks = ", ".join(["%s"] * len(EXPORT_COLUMNS))
                with open(path, encoding="utf-8-sig", newline="") as fh:
                    reader = csv.reader(fh)
                    next(reader)
                    batch = []
                    for row in reader:
                        batch.append(row)
                        if len(batch) == 10_000:
                            cursor.executemany(f"INSERT INTO bench_plain_copy VALUES ({marks})", batch)
                            batch = []
                    cursor.executemany(f"INSERT INTO bench_plain_copy VALUES ({marks})", batch)
                cursor.execute("DROP TABLE bench_plain_copy")
