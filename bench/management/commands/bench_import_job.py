"""Benchmark: a background import's two passes (dry run, import) for N one-line invoices, against the reference of
the same rows through InvoiceResource.import_data called directly on one Dataset of the whole file (what the inline
admin import runs, and what a pass ran before it was chunked), in the same run. Time, and the peak of the Python
heap (tracemalloc, reset before each step: allocations made by the step, Django and the tables already loaded not
counted). Writes into the configured database and rolls nothing back: run it on a scratch database. A measurement,
not an assertion."""
import time
import tracemalloc

import tablib
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from invoices.ledger.imports.services import (
    chunk_rows,
    import_job_confirm,
    import_job_create,
    import_job_run,
)
from invoices.ledger.models import Customer, Seller
from invoices.ledger.resources import INVOICE_COLUMNS, LINE_COLUMNS, InvoiceResource


def _rows(seller, customer, count, prefix):
    for n in range(count):
        yield ["", f"{prefix}{n:08d}", "digital_general", seller.tax_id, customer.tax_id, customer.name,
               "2001-03-02 10:00:00", "", "", "1", "*服务*维护", "", "", "", "", "", "100.00", "0.06", "", "0"]


class Command(BaseCommand):
    help = "Time a background import's dry run and import of N invoices against a direct import_data of N others."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=3000)
        parser.add_argument("--user", default="finance", help="The uploader (needs invoices.import_invoices).")

    def handle(self, *args, rows, user, **options):
        seller = Seller.objects.order_by("pk").first()
        customer = Customer.objects.exclude(tax_id="").order_by("pk").first()
        actor = get_user_model().objects.filter(username=user).first()
        if not (seller and customer and actor):
            raise CommandError("Needs a seller, a customer with a tax id and the uploader (run seed_demo first).")
        stamp = f"{int(time.time()) % 10000:04d}"
        tracemalloc.start()
        reference_body = tablib.Dataset(*_rows(seller, customer, rows, f"2601{stamp}0097"),
                                        headers=INVOICE_COLUMNS + LINE_COLUMNS).export("csv")
        tracemalloc.reset_peak()
        started = time.monotonic()
        reference = tablib.Dataset().load(reference_body, format="csv")  # the whole file, as a pass read it before
        result = InvoiceResource().import_data(reference, dry_run=True, use_transactions=True, user=actor,
                                               rollback_on_validation_errors=True)
        direct = time.monotonic() - started
        direct_peak = tracemalloc.get_traced_memory()[1]
        if result.has_validation_errors() or result.has_errors():
            raise CommandError("The reference rows did not validate.")
        del reference, result
        body = tablib.Dataset(*_rows(seller, customer, rows, f"2601{stamp}0098"),
                              headers=INVOICE_COLUMNS + LINE_COLUMNS).export("csv")
        with transaction.atomic():
            job = import_job_create(actor=actor, model_label="invoices.invoice",
                                    resource_path="invoices.ledger.resources.InvoiceResource",
                                    permission="invoices.import_invoices", file_format="csv", rows_estimated=rows,
                                    upload=SimpleUploadedFile("bench.csv", body.encode("utf-8")))
        tracemalloc.reset_peak()
        started = time.monotonic()
        job = import_job_run(job_id=job.pk)
        check = time.monotonic() - started
        check_peak = tracemalloc.get_traced_memory()[1]
        job = import_job_confirm(job=job, actor=actor)
        tracemalloc.reset_peak()
        started = time.monotonic()
        job = import_job_run(job_id=job.pk)
        imported = time.monotonic() - started
        import_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        mb = 2 ** 20
        self.stdout.write(f"rows {rows:,}: direct import_data dry run {direct:.2f} s (reference); "
                          f"job dry run {check:.2f} s = {check / direct:.2f} x; job import {imported:.2f} s = "
                          f"{imported / direct:.2f} x, {rows / imported:,.0f} rows/s; job status {job.status}")
        self.stdout.write(f"heap peak (tracemalloc): direct import_data of the whole file {direct_peak / mb:.1f} MB "
                          f"(reference); job dry run {check_peak / mb:.1f} MB; job import {import_peak / mb:.1f} MB "
                          f"(chunks of {chunk_rows():,} rows)")
