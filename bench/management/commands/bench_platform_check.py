"""Benchmark: a platform check listing N invoices of one seller from the simulator's HTTP server (loopback, the http
gateway, pages of 1,000) against the reconciliation of the same seller's export file, in the same run: rows/s and
peak Python memory (tracemalloc) of each."""
import os
import tempfile
import threading
import time
import tracemalloc
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.test.utils import override_settings

from bench.management.commands.bench_reconcile import PERIOD_START
from bench.management.commands.bench_reconcile import Command as ReconcileBench
from invoices.ledger.models import Invoice
from invoices.platform.gateway import PLATFORM_STATUS
from invoices.platform.models import PlatformInvoice
from invoices.platform.server import make_server
from invoices.reconciliation.models import PlatformCheck
from invoices.reconciliation.services.platform_check import platform_check_run


def _measured(work):
    """(seconds, peak bytes of Python allocations, result) of work()."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = work()
        return time.perf_counter() - start, tracemalloc.get_traced_memory()[1], result
    finally:
        tracemalloc.stop()


class Command(ReconcileBench):
    help = ("Generate a ledger of N synced invoices of one seller and the same invoices on the simulated platform; "
            "time a platform check reading them over HTTP from the simulator's server on loopback, and the "
            "reconciliation of the seller's export file of the same rows, in the same run. Prints rows/s and peak "
            "Python memory (tracemalloc: the server thread runs in this process, so its allocations count too) "
            "and the ratio. The fixture rows are deleted afterwards.")

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000)

    def handle(self, *args, rows, **options):
        import random

        rng = random.Random(rows)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "export.csv")
            with transaction.atomic():
                seller, _expected = self._ledger_and_export(rng, rows, path)
                self._on_platform(seller)
            self._settle()
            try:
                with transaction.atomic():  # the file's run and what it writes roll back, as in bench_reconcile
                    recon, recon_peak, run = _measured(lambda: self._run(seller, path, False))
                    run.file.delete(save=False)
                    transaction.set_rollback(True)
                check_time, check_peak, check = _measured(lambda: self._check(seller))
            finally:
                PlatformCheck.objects.filter(seller=seller).delete()
                PlatformInvoice.objects.filter(payload__seller_tax_id=seller.tax_id).delete()
                self._remove(seller)
        self.stdout.write(f"database            {connection.vendor}")
        self.stdout.write(f"rows                {rows}")
        self.stdout.write(f"check counts        {check.counts}  status {check.status} {check.error}")
        self.stdout.write(f"file reconcile      {recon:8.2f} s  {rows / recon:12,.0f} rows/s  "
                          f"peak {recon_peak / 2**20:8.1f} MiB")
        self.stdout.write(f"platform check      {check_time:8.2f} s  {rows / check_time:12,.0f} rows/s  "
                          f"peak {check_peak / 2**20:8.1f} MiB")
        self.stdout.write(f"ratio               {check_time / recon:8.2f} × the file's time (goal ≤ 1.5)")

    def _on_platform(self, seller):
        """The ledger's invoices as the platform holds them (what their uploads would have stored)."""
        batch = []
        for inv in Invoice.objects.filter(seller=seller).values(
                "code", "number", "total", "amount", "tax_amount", "buyer_tax_id", "issued_at", "status").iterator():
            batch.append(PlatformInvoice(
                code=inv["code"], number=inv["number"], total=inv["total"], platform_id=f"bench-{inv['number']}",
                status=PLATFORM_STATUS.get(inv["status"], "正常"),
                payload={"seller_tax_id": seller.tax_id, "buyer_tax_id": inv["buyer_tax_id"],
                         "amount": str(inv["amount"]), "tax_amount": str(inv["tax_amount"]),
                         "issued_at": inv["issued_at"].isoformat(), "direction": "blue"}))
            if len(batch) == 5000:
                PlatformInvoice.objects.bulk_create(batch)
                batch = []
        PlatformInvoice.objects.bulk_create(batch)

    def _check(self, seller):
        server = make_server(port=0, token="bench", daemon_threads=False)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{server.server_address[1]}"
            with override_settings(TAX_PLATFORM="http", TAX_PLATFORM_URL=url, TAX_PLATFORM_TOKEN="bench",
                                   TAX_PLATFORM_READ_TIMEOUT=max(60, settings.TAX_PLATFORM_READ_TIMEOUT)):
                # The file's period (a year from PERIOD_START, in the future): created directly, as
                # platform_check_start refuses a period that has not begun.
                check = PlatformCheck.objects.create(seller=seller, issued_from=PERIOD_START,
                                                     issued_to=PERIOD_START + timedelta(days=365))
                platform_check_run(check.pk)
            return PlatformCheck.objects.get(pk=check.pk)
        finally:
            server.shutdown()
            server.server_close()
            thread.join()
