"""Benchmarks, run on demand: throughput reported as ratios against a baseline in the same run."""
