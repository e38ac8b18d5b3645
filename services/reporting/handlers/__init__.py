"""Reporting use cases: apply one event to the projections (the batch consumer commits)."""
