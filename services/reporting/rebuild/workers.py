"""The facts phase's bulk over worker processes: the rebuild's Python work on every core.

A rebuild's bulk is bound by Python (decoding, and the handlers' own work before each
statement: about 30 µs an event) more than by Postgres, and one process uses one core. So the
facts topics' partitions are dealt out to worker processes, spawned fresh, each with its own
reader, pool and in-memory inbox. Each applies its share exactly as the rebuild's own process
would (`bulk.advance`) and saves its inbox into the rebuilt inbox table at the end.

Splitting by partition keeps each key's events in one worker and in order, and an event's
copies (same key, same partition) with it, so a worker's inbox drops them as one inbox would.
The bulk writes facts only, so two workers' transactions never count into the same rollup
rows; every fact statement is idempotent and keyed, and they take no lock across tables
(visits.py takes its coverage lock only when it counts).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import multiprocessing
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from services.reporting.consumers import reporting_consumers
from services.reporting.rebuild.apply import (
    RebuildInbox,
    SkippedMessages,
    collector_paused,
    consumer_for,
)
from services.reporting.rebuild.bulk import advance
from services.reporting.rebuild.progress import RebuildProgress
from services.reporting.rebuild.reader import Offsets, TopicReader
from services.reporting.settings import ReportingSettings
from services.reporting.unit_of_work import Mode
from shared.db.pool import create_pool
from shared.logging import configure_logging
from shared.messaging.security import KafkaConnection

# How often the rebuild's own process moves the progress bar along while workers run.
_PROGRESS_EVERY_SECONDS = 0.5


@dataclass(frozen=True)
class Share:
    """One worker's part of one consumer group's facts: everything a fresh process needs."""

    settings: ReportingSettings
    dsn: str  # the rebuild schema's (search_path set)
    consumer: int  # which of `reporting_consumers(settings)`
    group: str  # under its name in this rebuild (a benchmark renames the groups)
    positions: Offsets
    targets: Offsets
    batch_size: int


@dataclass
class ShareResult:
    events: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    applying_seconds: float = 0.0  # this worker's own
    skipped: int = 0


def deal(positions: Offsets, targets: Offsets, workers: int) -> list[tuple[Offsets, Offsets]]:
    """The partitions with records left, dealt round-robin into at most `workers` spans."""
    todo = sorted(
        (tp for tp in targets if positions[tp] < targets[tp]), key=lambda t: (t.topic, t.partition)
    )
    hands = [todo[i :: max(1, workers)] for i in range(max(1, workers))]
    return [
        ({tp: positions[tp] for tp in hand}, {tp: targets[tp] for tp in hand})
        for hand in hands
        if hand
    ]


async def run_shares(shares: list[Share], progress: RebuildProgress) -> list[ShareResult]:
    """Each share in its own process; the progress bar follows their records as they go.

    If one fails, the others finish their shares before the error goes on (the rebuild then
    drops its schema, so nothing they wrote is kept)."""
    context = multiprocessing.get_context("spawn")
    applied = context.Value("q", 0)
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(
        len(shares), mp_context=context, initializer=_start_worker, initargs=(applied,)
    ) as pool:
        running = asyncio.gather(*(loop.run_in_executor(pool, _run, s) for s in shares))
        seen = 0
        while not running.done():
            await asyncio.wait([running], timeout=_PROGRESS_EVERY_SECONDS)
            now = int(applied.value)
            progress.advance(now - seen)
            seen = now
        return await running


# In a worker: the rebuild's shared count of records applied.
_applied: Any = None


def _start_worker(applied: Any) -> None:
    global _applied
    _applied = applied


def _run(share: Share) -> ShareResult:
    settings = share.settings
    configure_logging(service="reporting-rebuild", level=settings.log_level, json=settings.log_json)
    return asyncio.run(_apply_share(share))


def _count(records: int) -> None:
    with _applied.get_lock():
        _applied.value += records


async def _apply_share(share: Share) -> ShareResult:
    spec = dataclasses.replace(
        reporting_consumers(share.settings)[share.consumer], group=share.group
    )
    result, skipped, inbox = ShareResult(), SkippedMessages(), RebuildInbox(share.group)
    async with contextlib.AsyncExitStack() as stack:
        pool = await create_pool(share.dsn, min_size=1, max_size=1, command_timeout=None)
        stack.push_async_callback(pool.close)
        reader = TopicReader(
            KafkaConnection.from_settings(share.settings), client_id="reporting-rebuild"
        )
        await reader.start()
        stack.push_async_callback(reader.stop)
        consumer = consumer_for(
            spec,
            pool,
            skipped,
            inbox,
            mode=Mode.REBUILD_BULK,
            tenant_scope=share.settings.deployment_region,
        )
        span = (dict(share.positions), share.targets)
        with collector_paused():
            await advance(reader, spec, consumer, inbox, span, share.batch_size, result, _count)
        async with pool.acquire() as conn:
            await inbox.save(conn)
    result.skipped = skipped.count
    return result
