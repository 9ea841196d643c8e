from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Fixture data at scale and the benchmarks: seed_scale, bench, bench_reconcile."""

    name = "bench"
    verbose_name = "Benchmarks"
