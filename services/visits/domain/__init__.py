"""Visits' domain rules: pure, synchronous, no I/O."""
