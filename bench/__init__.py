"""Fixture data at scale and the benchmarks: seed_scale, bench, bench_reconcile (docs/performance.md)."""
