"""`python -m bench.rebuild`: rebuilding reporting from N events against a bare aiokafka loop.

Publishes N realistic reporting events (mostly contact records, plus the directory, must-visit
obligations and concerns) into a fresh topic namespace, then times, on the same broker in the
same run: (a) a bare aiokafka consumer reading every one of those records, and (b)
`services.reporting.rebuild` rebuilding every projection from them and swapping it in.
Prints events/s for both and `RATIO rebuild/baseline`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from bench.namespace import Namespace, fresh_namespace
from bench.pipeline import _stack
from bench.rebuild_workload import workload
from services.reporting.consumers import reporting_consumers
from services.reporting.rebuild.progress import RebuildProgress
from services.reporting.rebuild.run import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_WORKERS,
    RebuildResult,
    rebuild,
)
from services.reporting.settings import ReportingSettings
from services.reporting.unit_of_work import MIGRATIONS
from shared.contracts import topics
from shared.contracts.envelope import cloudevent_headers, encode_body
from shared.db.migrate import SHARED_MIGRATIONS, load_migrations, migrate_up
from shared.logging import configure_logging
from shared.messaging.producer import encode_headers

# Every topic reporting consumes (the workload fills five of them; the others stay empty).
_CONSUMED = {t for spec in reporting_consumers(ReportingSettings()) for t in spec.topics}
TOPICS = tuple(t for t in topics.BUSINESS_TOPICS if t.name in _CONSUMED)
_SEND_CHUNK = 20_000


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="events to rebuild from")
    parser.add_argument(
        "--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="records per transaction"
    )
    parser.add_argument(
        "--workers", type=int, default=DEFAULT_WORKERS, help="processes applying the facts"
    )
    parser.add_argument("--state-dir", type=Path)
    parser.add_argument("--bootstrap", help="use this Kafka instead of starting a stack")
    parser.add_argument("--pg-dsn-base", help="e.g. postgresql://postgres@127.0.0.1:55432")
    parser.add_argument("--fast-postgres", action="store_true", help="fsync off, as in tests")
    parser.add_argument("--timeout", type=float, default=3600.0)
    args = parser.parse_args(argv)
    if bool(args.bootstrap) != bool(args.pg_dsn_base):
        parser.error("--bootstrap and --pg-dsn-base go together")
    configure_logging(service="bench", level="WARNING", json=False)
    postgres = "external" if args.bootstrap else "fsync off" if args.fast_postgres else "durable"
    with _stack(args) as (bootstrap, dsn_base):
        lines = asyncio.run(_measure(bootstrap, dsn_base, args, postgres))
    print("\n".join(lines))


async def _measure(bootstrap: str, dsn_base: str, args: argparse.Namespace, pg: str) -> list[str]:
    async with (
        asyncio.timeout(args.timeout),
        fresh_namespace(
            bootstrap, dsn_base, services=("reporting",), topics=TOPICS, timeout=args.timeout
        ) as ns,
    ):
        mix, produce_s = await _publish(ns, args.events)
        read, baseline_s = await _bare_loop(ns)
        result = await _rebuild(ns, args.batch_size, args.workers)
    return _render(args.events, mix, pg, produce_s, read, baseline_s, result)


async def _publish(ns: Namespace, count: int) -> tuple[Counter[str], float]:
    """Keyed, with the CloudEvents headers, chunk by chunk (never all N in memory)."""
    producer = AIOKafkaProducer(
        bootstrap_servers=ns.bootstrap, acks=1, linger_ms=20, max_batch_size=512 * 1024
    )
    await producer.start()
    mix: Counter[str] = Counter()
    started = time.perf_counter()
    try:
        chunk: list[asyncio.Future[Any]] = []
        for event in workload(count):
            mix[event.topic] += 1
            headers = cloudevent_headers(event, source="/bench")
            chunk.append(
                await producer.send(
                    ns.topic(event.topic),
                    value=encode_body(event),
                    key=event.partition_key().encode(),
                    headers=encode_headers(headers),
                )
            )
            if len(chunk) >= _SEND_CHUNK:
                await asyncio.gather(*chunk)
                chunk = []
        await asyncio.gather(*chunk)
    finally:
        await producer.stop()
    return mix, time.perf_counter() - started


# --- the two measurements --------------------------------------------------------------------


async def _bare_loop(ns: Namespace) -> tuple[int, float]:
    """Every record of the namespace's topics, from the beginning, counted and dropped."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=ns.bootstrap,
        enable_auto_commit=False,
        max_partition_fetch_bytes=4 * 1024 * 1024,
        fetch_max_bytes=64 * 1024 * 1024,
    )
    await consumer.start()
    try:
        partitions = [
            TopicPartition(ns.topic(t.name), p) for t in TOPICS for p in range(t.partitions)
        ]
        ends = await consumer.end_offsets(partitions)
        started = time.perf_counter()
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        read, todo = 0, {tp for tp in partitions if ends[tp] > 0}
        while todo:
            for tp, records in (
                await consumer.getmany(timeout_ms=1000, max_records=10_000)
            ).items():
                read += len(records)
                if records and records[-1].offset + 1 >= ends[tp]:
                    todo.discard(tp)
        return read, time.perf_counter() - started
    finally:
        await consumer.stop()


async def _rebuild(ns: Namespace, batch_size: int, workers: int) -> RebuildResult:
    """The command's function on a reporting database as the service leaves it after start-up,
    its groups (per run) committed at the end as if the service had consumed everything."""
    settings = ReportingSettings(
        database_url=ns.database_urls["reporting"],
        kafka_bootstrap_servers=ns.bootstrap,
        kafka_topic_prefix=ns.topic_prefix,
    )
    conn = await asyncpg.connect(settings.database_url)
    try:
        await migrate_up(conn, load_migrations([SHARED_MIGRATIONS, MIGRATIONS]))
    finally:
        await conn.close()
    # Kafka's group ids carry the run's prefix (settings.kafka_group_id), so runs keep apart.
    for spec in reporting_consumers(settings):
        group = settings.kafka_group_id(spec.group)
        await _commit_at_end(ns, group, [ns.topic(t) for t in spec.topics])
    with RebuildProgress(sys.stderr) as progress:
        result = await rebuild(
            settings,
            batch_size=batch_size,
            progress=progress,
            workers=workers,
        )
    phases = ", ".join(f"{name} {s:.1f} s" for name, s in progress.phase_seconds.items())
    print(f"rebuild phases: {phases}", file=sys.stderr)
    return result


async def _commit_at_end(ns: Namespace, group: str, names: list[str]) -> None:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=ns.bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        partitions = [
            TopicPartition(ns.topic(t.name), p)
            for t in TOPICS
            if ns.topic(t.name) in names
            for p in range(t.partitions)
        ]
        consumer.assign(partitions)
        await consumer.commit(dict(await consumer.end_offsets(partitions)))
    finally:
        await consumer.stop()


def _render(
    n: int,
    mix: Counter[str],
    postgres: str,
    produce_s: float,
    read: int,
    baseline_s: float,
    result: RebuildResult,
) -> list[str]:
    shares = ", ".join(f"{topic} {count:,}" for topic, count in sorted(mix.items()))
    base_rate, rebuild_rate = n / baseline_s, n / result.seconds
    applied = ", ".join(f"{k} {c:,}" for k, c in sorted(result.outcomes.items()))
    return [
        f"{n:,} events ({shares}); Postgres {postgres}",
        f"{'stage':<52}{'seconds':>9}{'events/s':>11}",
        f"{'publish (not compared; acks=1, keyed)':<52}{produce_s:>9.2f}{n / produce_s:>11,.0f}",
        f"{'baseline  bare aiokafka loop (' + format(read, ',') + ' records)':<52}"
        f"{baseline_s:>9.2f}{base_rate:>11,.0f}",
        f"{'rebuild   every projection, swapped in':<52}{result.seconds:>9.2f}"
        f"{rebuild_rate:>11,.0f}",
        f"rebuild read {result.events:,} records (members.member once per group): {applied}",
        f"rebuild spent {result.applying_seconds:.2f} s of its {result.seconds:.2f} s applying "
        "batches (decode, handlers, transactions)",
        f"RATIO rebuild/baseline: {rebuild_rate / base_rate:.2f}",
    ]


if __name__ == "__main__":
    main()
