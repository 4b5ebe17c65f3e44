"""Benchmark probes: each runs one scenario in a fresh process and prints one result.

A probe is started as `python -m benchmarks.probes.NAME ROLE [options]` by the
runner, and prints its figures as one line `BENCH-RESULT {json}` on stdout.
"""
