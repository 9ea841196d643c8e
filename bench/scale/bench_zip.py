"""The batch ZIP of invoice PDFs: N invoices issued on the simulated platform, then (1) the first ZIP, which has
the platform render every PDF and stores it, and (2) a second ZIP from the stored copies. Each pass is timed and
the process's peak RSS before and after it printed (a ZIP held in memory would raise it by the archive's size),
and a third pass over the stored copies measures peak Python allocations with tracemalloc. Everything runs inside a
transaction that is rolled back, with the files in a temporary MEDIA_ROOT: nothing is left behind."""
import resource
import tempfile
import time
import tracemalloc
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from invoices.files.services.archive import zip_stream
from invoices.ledger.models import Customer, Invoice, InvoiceKind, Seller
from invoices.ledger.services.customers import customer_create
from invoices.ledger.services.issue_batch import invoice_issue_batch
from invoices.platform.gateway import invoice_payload
from invoices.platform.simulator import sim_receive


class _Rollback(Exception):
    pass


def _parties():
    seller = Seller.objects.order_by("id").first() or Seller.objects.create(
        name="北京基准测试科技有限公司", tax_id="91110108MA00BENCH1", region="北京", region_code="11")
    buyer = Customer.objects.exclude(tax_id="").order_by("id").first() or customer_create(
        actor=None, name="上海基准测试贸易有限公司", tax_id="91310000MA1FL0000X")
    return seller, buyer


def issue_on_platform(count):
    seller, buyer = _parties()
    start = timezone.now() - timedelta(days=1)
    items = [{"seller": seller, "buyer": buyer, "kind": InvoiceKind.DIGITAL_GENERAL,
              "issued_at": start + timedelta(seconds=n),
              "lines": [{"name": "*信息技术服务*软件维护服务", "amount": Decimal("1000.00"), "tax_rate": Decimal("0.06"),
                         "tax_code": "3040201030000000000"},
                        {"name": "*计算机*笔记本电脑", "amount": Decimal("300.00"), "tax_rate": Decimal("0.13"),
                         "tax_code": "1090501000000000000", "unit": "台", "quantity": Decimal(3),
                         "unit_price": Decimal(100)}]}
             for n in range(count)]
    results = invoice_issue_batch(actor=None, items=items)
    bad = [r.errors for r in results if r.errors]
    if bad:
        raise RuntimeError(f"could not issue the benchmark invoices: {bad[:3]}")
    ids = [r.invoice.pk for r in results]
    for invoice in Invoice.objects.filter(pk__in=ids).select_related("seller", "original"):
        sim_receive(invoice_payload(invoice))
    return ids


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(ids, *, traced):
    """(seconds, peak traced bytes or None, archive bytes) of one streamed ZIP, written to a temporary file.
    tracemalloc slows allocation-heavy code (PDF rendering) several times over, so it is optional."""
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    size = 0
    with tempfile.TemporaryFile() as out:
        invoices = Invoice.objects.filter(pk__in=ids).order_by("pk").iterator(chunk_size=200)
        for chunk in zip_stream(invoices):
            out.write(chunk)
            size += len(chunk)
    seconds = time.perf_counter() - started
    peak = None
    if traced:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return seconds, peak, size


def run_zip(*, count, write):
    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        try:
            with transaction.atomic():
                started = time.perf_counter()
                ids = issue_on_platform(count)
                write(f"issued {count} invoices on the simulated platform in {time.perf_counter() - started:.1f}s")
                passes = [("first ZIP (the platform renders, we store each PDF)", False),
                          ("second ZIP (from the stored copies)", False),
                          ("third ZIP (stored copies, under tracemalloc)", True)]
                for label, traced in passes:
                    rss_before = peak_rss_mib()
                    seconds, peak, size = measure(ids, traced=traced)
                    line = (f"{label}: {seconds:.1f}s, {count / seconds:.0f} PDFs/s, archive {size / 2**20:.1f} MiB, "
                            f"peak RSS {rss_before:.0f} -> {peak_rss_mib():.0f} MiB")
                    if peak is not None:
                        line += f", peak Python allocations {peak / 2**20:.2f} MiB"
                    write(line)
                raise _Rollback
        except _Rollback:
            pass
