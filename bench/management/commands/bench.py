"""`manage.py bench`: the project's own benchmarks, one table, every figure against a reference measured in the
same run (absolute times on a shared machine are noisy; ratios much less so)."""
import io
import re
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import override_settings

from bench.scale.bench_api import run_api
from bench.scale.bench_import import run_import
from bench.scale.bench_pages import bench_user, run_pages


class Command(BaseCommand):
    help = (
        "Benchmark the admin pages (median server time over --runs, query count, ratio to the raw SQL of the same "
        "page), the dashboard (ratio to its queries' own time), the invoice API under concurrent load from a "
        "second process against gunicorn on 127.0.0.1 (ratio to a bare values() view), the validated invoice "
        "import (rows/s) and reconciliation (bench_reconcile). Run it after seed_scale; it changes no data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=15)
        parser.add_argument("--clients", type=int, default=16)
        parser.add_argument("--seconds", type=float, default=20.0, help="load per API case and reference")
        parser.add_argument("--max-requests", type=int, default=100_000)
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
        parser.add_argument("--import-rows", type=int, default=100_000)
        parser.add_argument("--reconcile-rows", type=int, default=100_000)
        parser.add_argument("--skip", nargs="*", default=[], choices=["pages", "api", "import", "reconcile"])

    def handle(self, *args, **o):
        started = time.perf_counter()
        out = self.stdout
        header = f"{'case':<40} {'median':>10} {'queries':>7}  {'reference':<24} {'ref':>10} {'ratio':>7}  target"
        out.write(f"database: {connection.vendor}; runs per page: {o['runs']}")
        out.write(header)
        out.write("-" * len(header))
        user = bench_user()
        if "pages" not in o["skip"]:
            with override_settings(DEBUG=False):
                for label, wall, queries, ref, ref_label, target in run_pages(o["runs"]):
                    ratio = wall / ref if ref else float("inf")
                    verdict = ("(no target: the admin's fixed cost)" if target is None
                               else f"≤ {target:g} {'met' if ratio <= target else 'NOT met'}")
                    out.write(f"{label:<40} {wall * 1000:8.1f}ms {queries:>7}  {ref_label:<24} {ref * 1000:8.1f}ms "
                              f"{ratio:7.1f}  {verdict}")
        if "api" not in o["skip"]:
            for label, api, ref in run_api(user=user, workers=o["workers"], clients=o["clients"],
                                           seconds=o["seconds"], max_requests=o["max_requests"]):
                share = api["rps"] / ref["rps"] if ref["rps"] else 0.0
                errors = f" ({api['errors']}+{ref['errors']} errors)" if api["errors"] or ref["errors"] else ""
                out.write(f"{label:<40} {api['rps']:7.0f}r/s {'':>7}  {'bare values() view':<24} "
                          f"{ref['rps']:7.0f}r/s {share:6.0%}  ≥ 50% {'met' if share >= 0.5 else 'NOT met'}{errors}")
        if "import" not in o["skip"]:
            rows, seconds, hook_seconds, hooks = run_import(rows=o["import_rows"], user=user)
            rate = rows / seconds
            out.write(f"{f'invoice import ({rows:,} rows)':<40} {rate:6.0f}row/s {'':>7}  {'target':<24} "
                      f"{2000:6d}row/s {rate / 2000:7.2f}  ≥ 2000 rows/s {'met' if rate >= 2000 else 'NOT met'}")
            out.write(f"  {seconds:.1f} s in all; after-commit hooks: " + (
                f"{hooks} in {hook_seconds:.2f} s (included)" if hooks is not None
                else "not run (task broker outside the database)"))
        if "reconcile" not in o["skip"]:
            buf = io.StringIO()
            call_command("bench_reconcile", rows=o["reconcile_rows"], stdout=buf)
            text = buf.getvalue()
            rec = re.search(r"^reconcile\s+([\d.]+) s\s+([\d,]+) rows/s", text, re.M)
            plain = re.search(r"^plain \S+\s+([\d.]+) s\s+([\d,]+) rows/s", text, re.M)
            ratio = re.search(r"^ratio\s+([\d.]+)", text, re.M)
            if rec and plain and ratio:
                label = f"reconciliation ({o['reconcile_rows']:,} rows)"
                out.write(f"{label:<40} {rec.group(2):>6}row/s "
                          f"{'':>7}  {'plain bulk load':<24} {plain.group(2):>6}row/s {float(ratio.group(1)):7.1f}  "
                          "(bench_reconcile; see issue 6)")
            else:
                out.write(text)
        out.write(f"bench took {time.perf_counter() - started:.0f} s")
