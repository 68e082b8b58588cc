"""Benchmarks of scale and speed: ingest, query at 10k-1M chunks, cold start, a naive baseline.

Run `.venv/bin/python -m bench.run --help`; bench/README.md explains each figure.
"""
