"""What a fault run found, as numbers a test asserts on and a README can quote."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Latency:
    """End-to-end latency (outbox row written → consumer's inbox row) of one phase, in ms."""

    count: int = 0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0

    @classmethod
    def of(cls, seconds: list[float]) -> Latency:
        if not seconds:
            return cls()
        ordered = sorted(seconds)

        def at(q: float) -> float:
            return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

        return cls(len(ordered), at(0.50), at(0.99), round(1000 * ordered[-1], 1))

    def __str__(self) -> str:
        return f"n={self.count} p50={self.p50_ms}ms p99={self.p99_ms}ms max={self.max_ms}ms"


@dataclass
class FaultReport:
    """One run's figures.

    lost: (consumer group, event) pairs never applied, plus outbox rows never published;
    applied twice: projection counters above the number of events claimed (reconcile.py);
    delivered twice: extra copies of an event on its topic; order violations: a key's events
    on the topic, or applied by a group, out of their outbox commit order; recovery: from the
    fault until the last event written before it ended was applied everywhere.
    """

    fault: str
    seed: int
    requests: int = 0
    request_errors: int = 0
    events_produced: int = 0
    events_applied: int = 0  # (consumer group, event) pairs applied
    faults_injected: int = 0
    lost: int = 0
    applied_twice: int = 0
    delivered_twice: int = 0  # copies of one event on a topic (a relay published it again)
    redelivered_skipped: int = 0  # handed to a consumer again and skipped by its inbox
    order_violations: int = 0
    dlq: int = 0
    recovery_s: float | None = None
    latency: dict[str, Latency] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    lost_examples: list[str] = field(default_factory=list)

    def summary(self) -> str:
        recovery = "n/a" if self.recovery_s is None else f"{self.recovery_s:.1f}s"
        lines = [
            f"FAULT {self.fault} (seed {self.seed})",
            f"  requests {self.requests} (errors {self.request_errors}), "
            f"events produced {self.events_produced}, applications {self.events_applied}, "
            f"faults injected {self.faults_injected}",
            f"  lost {self.lost}, applied twice {self.applied_twice}, "
            f"delivered twice {self.delivered_twice} (+{self.redelivered_skipped} redelivered and "
            f"skipped), order violations {self.order_violations}, "
            f"DLQ {self.dlq}, recovery {recovery}",
        ]
        lines += [f"  latency {phase}: {lat}" for phase, lat in self.latency.items()]
        lines += [f"  note: {note}" for note in self.notes]
        lines += [f"  lost e.g. {example}" for example in self.lost_examples[:5]]
        return "\n".join(lines)
