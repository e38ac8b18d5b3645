"""Reporting use cases: apply a run of events to the projections (the batch consumer commits)."""
