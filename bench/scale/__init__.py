"""Benchmark fixture data at scale (`manage.py seed_scale`) and the benchmarks themselves (`manage.py bench`)."""
