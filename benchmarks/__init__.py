"""Benchmarks: each figure measured beside its baseline in the same run.

`python -m benchmarks` runs every scenario in fresh processes, prints one
table, and writes benchmarks/latest.json and docs/benchmarks.md;
`--smoke` runs small sizes into a temporary folder. See docs/benchmarks.md.
"""
