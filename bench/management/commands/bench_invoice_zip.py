"""`manage.py bench_invoice_zip`: time and peak memory of the batch ZIP of invoice PDFs (a measurement to read,
not a pass/fail test). It changes no data."""
from django.core.management.base import BaseCommand

from bench.scale.bench_zip import run_zip


class Command(BaseCommand):
    help = "Build the batch ZIP of N invoices' PDFs twice (rendered by the simulated platform, then stored) and " \
           "print the time and peak memory of each; everything is rolled back."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=1000)

    def handle(self, *args, count, **options):
        if count < 1:
            self.stderr.write("--count must be at least 1")
            return
        run_zip(count=count, write=self.stdout.write)
