"""The fault harness: drive a keyed workload through the real services, break something,
then reconcile every event produced against every effect applied (see harness.py)."""

from tests.support.faults.harness import FaultRun, Fleet, group_lag, rss_mb
from tests.support.faults.report import FaultReport, Latency

__all__ = ["FaultReport", "FaultRun", "Fleet", "Latency", "group_lag", "rss_mb"]
