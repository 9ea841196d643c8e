"""Benchmark: peak memory of the upload's request path and of the worker's reading, for the two decompression
bombs of issue 16 (a sheet XML expanding to ~1 GB, a 100 MB sharedStrings.xml) and an honest 1,000,000-row
export. Each measurement runs in a fresh subprocess and reports its own peak RSS (ru_maxrss) and the Python heap
peak (tracemalloc), so one case cannot inflate another's. A measurement, not an assertion."""
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from bench.scale.upload_bombs import shared_strings_bomb, sheet_bomb
from invoices.platform.export_vocab import EXPORT_COLUMNS

STEPS = ("request", "worker")


class Command(BaseCommand):
    help = ("Print the peak memory (RSS of a subprocess, and the Python heap) of the upload's request path "
            "(limits + header) and of the worker's read of every row, for the sheet bomb, the sharedStrings bomb "
            "and an honest N-row CSV export.")

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=1_000_000, help="Rows of the honest file.")
        parser.add_argument("--measure", nargs=2, metavar=("STEP", "PATH"), help=argparse_hidden())

    def handle(self, *args, rows, measure=None, **options):
        if measure:
            self.stdout.write(json.dumps(_measure(*measure)))
            return
        with tempfile.TemporaryDirectory() as tmp:
            files = _build_files(tmp, rows)
            self.stdout.write(f"{'file':<34} {'size':>10}  {'step':<8} {'outcome':<46} {'seconds':>8} "
                              f"{'peak RSS':>10} {'growth':>10} {'heap peak':>10}")
            for label, path in files:
                for step in STEPS:
                    result = self._child(step, path)
                    self.stdout.write(
                        f"{label:<34} {os.path.getsize(path) / 2**20:>8.1f}MB  {step:<8} {result['outcome'][:46]:<46} "
                        f"{result['seconds']:>8.2f} {result['rss_mb']:>8.0f}MB {result['growth_mb']:>8.1f}MB "
                        f"{result['heap_mb']:>8.1f}MB")
            self.stdout.write("peak RSS: the subprocess's maximum resident set (Django loaded included); growth: that "
                              "maximum minus the process's before the step; heap peak: Python allocations (tracemalloc).")

    def _child(self, step, path):
        out = subprocess.run([sys.executable, "manage.py", "bench_uploads", "--measure", step, path],
                             capture_output=True, text=True, check=True, cwd=_root())
        return json.loads(out.stdout.strip().splitlines()[-1])


def argparse_hidden():
    import argparse

    return argparse.SUPPRESS


def _root():
    from django.conf import settings

    return str(settings.BASE_DIR)


def _build_files(tmp, rows):
    files = []
    for label, name, content in (("sheet bomb (1.08 GB sheet XML)", "sheet-bomb.xlsx", sheet_bomb()),
                                 ("sharedStrings bomb (100 MB)", "strings-bomb.xlsx", shared_strings_bomb())):
        path = os.path.join(tmp, name)
        with open(path, "wb") as fh:
            fh.write(content)
        files.append((label, path))
    path = os.path.join(tmp, "honest.csv")
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(EXPORT_COLUMNS)
        for i in range(rows):
            writer.writerow([i + 1, "", "", f"30112{i + 1:015d}", "91110000100000000X", "北京测试销售有限公司",
                             "91310000MA1FL0000X", f"测试购买方{i % 1000}有限公司", "2030-01-02 10:00:00", "100.00",
                             "13.00", "113.00", "电子发票服务平台", "数电发票（普通发票）", "正常", "是", "正常", "", ""])
    files.append((f"honest CSV ({rows:,} rows)", path))
    return files


def _measure(step, path):
    from django.utils import translation

    from core.upload_limits import check_upload
    from invoices.reconciliation.pipeline.reader import check_header
    from invoices.reconciliation.pipeline.source import open_source

    translation.activate("en")
    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # the process with Django loaded
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with open(path, "rb") as fileobj:
            if step == "request":
                check_upload(fileobj)
                outcome = f"accepted ({check_header(fileobj)})"
            else:
                source = open_source(fileobj)
                read, position = 0, 0
                while True:
                    read += sum(1 for _row in source.rows(position, 200_000))
                    if source.exhausted:
                        break
                    position = source.end
                outcome = f"read {read:,} rows"
    except ValidationError as exc:
        outcome = "refused: " + "; ".join(sum(exc.message_dict.values(), []))
    seconds = time.perf_counter() - started
    _current, heap_peak = tracemalloc.get_traced_memory()
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"outcome": outcome, "seconds": seconds, "rss_mb": rss_kb / 1024, "growth_mb": (rss_kb - baseline_kb) / 1024,
            "heap_mb": heap_peak / 2**20}
