"""A backlog of ten times the peak rate, then catch-up: memory stays bounded, lag returns to 0.

Peak: the sustained rate the platform is held to (1,000 contact records a second, see
quality-bars.md), so the short version piles up 10,000 events (ten seconds of peak) on
`members.member` while reporting is down, and the long one 100,000. Reporting then starts and
drains them under the steady workload; its resident memory is sampled the whole time.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer

from bench.workload import on_the_wire, sample_events
from shared.contracts.topics import MEMBERS_MEMBER
from tests.support.faults import FaultReport, FaultRun, rss_mb
from tests.support.platform import Platform
from tests.support.wait import eventually

PEAK_PER_SECOND = 1_000
RSS_LIMIT_MB = 200  # quality-bars.md: memory per service process under load


async def produce_backlog(bootstrap: str, topic: str, count: int, seed: int) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20)
    await producer.start()
    try:
        futures = []
        for event in sample_events(count, seed=seed):
            wire = on_the_wire(event)
            futures.append(
                await producer.send(topic, value=wire.value, key=wire.key, headers=wire.headers)
            )
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def backlog_run(
    platform: Platform, tmp_path: Path, seed: int, seconds: int
) -> tuple[FaultReport, float]:
    count = PEAK_PER_SECOND * seconds
    peak_rss = 0.0
    fault = f"reporting down while {count} events pile up, then catch-up"
    # No policies: each would open an obligation for every backlog member of its sector.
    async with FaultRun(
        platform, tmp_path, fault=fault, seed=seed, rate=10, policy_share=0.0
    ) as run:

        async def inject(r: FaultRun) -> int:
            nonlocal peak_rss
            reporting = r.fleet.processes["reporting"][0]
            reporting.stop()
            await produce_backlog(
                platform.stack.kafka_bootstrap, platform.topic(MEMBERS_MEMBER.name), count, seed
            )
            replica = await r.fleet.replace(reporting)

            async def sample() -> int:
                nonlocal peak_rss
                peak_rss = max(peak_rss, rss_mb(replica))
                return await r.lag()

            # Lag counts every group; the steady workload keeps adding a trickle behind it.
            await eventually(
                sample, lambda lag: lag < 50, timeout=600, interval=0.2, what="caught up"
            )
            r.notes.append(f"backlog {count} events, reporting peak RSS {peak_rss:.0f} MB")
            return 1

        report = await run.run(inject, before=20, after=20)
    print(report.summary())
    return report, peak_rss


async def test_backlog_of_ten_times_peak_drains_with_bounded_memory(
    platform: Platform, tmp_path: Path, seed: int
) -> None:
    report, peak = await backlog_run(platform, tmp_path, seed, seconds=10)
    assert (report.lost, report.applied_twice, report.order_violations) == (0, 0, 0), (
        report.lost_examples
    )
    assert peak <= RSS_LIMIT_MB


@pytest.mark.slow
@pytest.mark.timeout(1800)
async def test_backlog_long_version(platform: Platform, tmp_path: Path, seed: int) -> None:
    seconds = int(os.environ.get("FAULT_BACKLOG_SECONDS", "100"))
    report, peak = await backlog_run(platform, tmp_path, seed, seconds=seconds)
    assert (report.lost, report.applied_twice, report.order_violations) == (0, 0, 0), (
        report.lost_examples
    )
    assert peak <= RSS_LIMIT_MB
