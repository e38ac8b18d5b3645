"""`python -m bench.pipeline`: the member slice end to end against bare aiokafka, same broker.

Prints a table and `RATIO platform/baseline end-to-end: X.XX`; writes nothing into the repo.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.baseline import BaselineResult, run_baseline
from bench.namespace import fresh_namespace
from bench.platform_path import EVENTS_PER_TRANSACTION, PlatformResult, run_platform
from bench.workload import on_the_wire, sample_events
from deploy.local.stack import running_stack
from shared.contracts.topics import MEMBERS_MEMBER, TopicSpec
from shared.logging import configure_logging

BASELINE_TOPIC = TopicSpec("bench.baseline", partitions=MEMBERS_MEMBER.partitions)
# What the test suite runs Postgres with; the default here is the server's durable defaults.
FAST_POSTGRES = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


@dataclass(frozen=True)
class Report:
    events: int
    body_bytes: float
    postgres: str
    baseline: BaselineResult
    platform: PlatformResult


def main(argv: Sequence[str] | None = None) -> None:
    args = _arguments(argv)
    configure_logging(service="bench", level="WARNING", json=False)
    postgres = "external" if args.bootstrap else "fsync off" if args.fast_postgres else "durable"
    with _stack(args) as (bootstrap, dsn_base):
        report = asyncio.run(_measure(bootstrap, dsn_base, args.events, args.timeout, postgres))
    print(render(report))


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000, help="events per benchmark")
    parser.add_argument("--state-dir", type=Path, help="stack state (default: a temp dir)")
    parser.add_argument("--bootstrap", help="use this Kafka instead of starting a stack")
    parser.add_argument("--pg-dsn-base", help="e.g. postgresql://postgres@127.0.0.1:55432")
    parser.add_argument("--fast-postgres", action="store_true", help="fsync off, as in tests")
    parser.add_argument("--timeout", type=float, default=900.0, help="bound on the measuring")
    args = parser.parse_args(argv)
    if bool(args.bootstrap) != bool(args.pg_dsn_base):
        parser.error("--bootstrap and --pg-dsn-base go together")
    if args.events < 1:
        parser.error("--events must be positive")
    return args


@contextlib.contextmanager
def _stack(args: argparse.Namespace) -> Iterator[tuple[str, str]]:
    if args.bootstrap:
        yield args.bootstrap, args.pg_dsn_base.rstrip("/")
        return
    settings = FAST_POSTGRES if args.fast_postgres else None
    clusters: list[Path] = []
    with _state_dir(args.state_dir) as (state_dir, temporary):
        try:
            with running_stack(state_dir, databases=(), postgres_settings=settings) as stack:
                clusters.append(stack.postgres.base_dir)
                yield stack.kafka_bootstrap, stack.postgres_dsn_base
        finally:
            # As root the cluster lives under the postgres user's home, outside the temp dir.
            for leftover in clusters if temporary else []:
                shutil.rmtree(leftover, ignore_errors=True)


@contextlib.contextmanager
def _state_dir(given: Path | None) -> Iterator[tuple[Path, bool]]:
    if given is not None:
        yield given, False
        return
    with tempfile.TemporaryDirectory(prefix="cppcc-bench-") as tmp:
        yield Path(tmp), True


async def _measure(
    bootstrap: str, dsn_base: str, count: int, timeout: float, postgres: str
) -> Report:
    events = sample_events(count)
    messages = [on_the_wire(e) for e in events]
    async with asyncio.timeout(timeout):
        async with fresh_namespace(
            bootstrap,
            dsn_base,
            services=("members", "reporting"),
            topics=(BASELINE_TOPIC, MEMBERS_MEMBER, TopicSpec(MEMBERS_MEMBER.dlq, 1)),
            timeout=timeout,
        ) as ns:
            baseline = await run_baseline(
                bootstrap, ns.topic(BASELINE_TOPIC.name), messages, timeout=timeout
            )
            platform = await run_platform(ns, events, timeout=timeout)
    body_bytes = sum(len(m.value) for m in messages) / count
    return Report(count, body_bytes, postgres, baseline, platform)


def render(report: Report) -> str:
    n, base, plat = report.events, report.baseline, report.platform
    ms_per_event = 1000 * plat.end_to_end_s / n
    rows = [
        ("baseline  produce (acks=all, idempotent)", base.produce_s),
        ("baseline  consume (group, auto-commit)", base.consume_s),
        ("baseline  end-to-end (produce + consume)", base.end_to_end_s),
        (f"platform  outbox write ({EVENTS_PER_TRANSACTION}/txn, not in e2e)", plat.outbox_write_s),
        ("platform  relay publish (until none unsent)", plat.relay_s),
        ("platform  end-to-end (relay start → all counted)", plat.end_to_end_s),
    ]
    lines = [
        f"{n:,} events, ~{report.body_bytes:.0f}-byte bodies, {MEMBERS_MEMBER.partitions} "
        f"partitions, Postgres {report.postgres}",
        f"{'stage':<58}{'seconds':>9}{'events/s':>11}",
        *(f"{label:<58}{s:>9.3f}{n / s:>11,.0f}" for label, s in rows),
        f"consumer: {ms_per_event:.3f} ms/event end to end, of which "
        f"{1000 * plat.handler_mean_s:.3f} ms in the handler's transaction (mean)",
        f"RATIO platform relay / baseline produce: {base.produce_s / plat.relay_s:.2f}",
        f"RATIO platform/baseline end-to-end: {base.end_to_end_s / plat.end_to_end_s:.2f}",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
