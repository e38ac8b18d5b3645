"""The broker and the database go away under load and come back; the services recover alone.

Pass: no acknowledged write lost, nothing applied twice, and the very same service processes
(no restart) publish and consume again afterwards.
"""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

from tests.support.faults import FaultReport, FaultRun
from tests.support.platform import Platform


def pids(run: FaultRun) -> dict[str, list[int]]:
    return {
        service: [p.process.pid for p in run.fleet.running(service) if p.process]
        for service in run.fleet.processes
    }


def assert_clean(report: FaultReport) -> None:
    print(report.summary())
    assert (report.lost, report.applied_twice, report.order_violations) == (0, 0, 0), (
        report.lost_examples
    )


async def test_single_broker_restart_loses_no_acknowledged_write(
    platform: Platform, tmp_path: Path, seed: int
) -> None:
    kafka = platform.stack.kafka
    crash = random.Random(seed).choice([True, False])
    how = "kill -9" if crash else "stop"
    async with FaultRun(platform, tmp_path, fault=f"{how} + restart the broker", seed=seed) as run:
        before = pids(run)

        async def inject(r: FaultRun) -> int:
            await asyncio.to_thread(kafka.kill_node if crash else kafka.stop_node, 0)
            await r.wait_requests(40)  # the APIs keep accepting: events wait in the outbox
            await asyncio.to_thread(kafka.start_node, 0)
            return 1

        report = await run.run(inject, before=40, after=80)
        after = pids(run)
    assert_clean(report)
    assert after == before, "no service was restarted"


async def test_postgres_restart_under_load_pools_recover_without_service_restarts(
    platform: Platform, tmp_path: Path, seed: int
) -> None:
    postgres = platform.stack.postgres
    crash = random.Random(seed).choice([True, False])
    how = "kill -9" if crash else "restart"
    # The test stack runs with synchronous_commit=off (tests/conftest.py): a crashed server
    # forgets the last moments of acknowledged commits, which is that setting, not our code.
    # Production commits synchronously, so this test's databases do too (new sessions).
    for service, dsn in platform.database_urls.items():
        database = dsn.rsplit("/", 1)[1]
        await platform.fetchval(service, f'ALTER DATABASE "{database}" SET synchronous_commit = on')
    async with FaultRun(platform, tmp_path, fault=f"{how} Postgres", seed=seed) as run:
        before = pids(run)

        async def inject(r: FaultRun) -> int:
            if crash:
                await asyncio.to_thread(postgres.kill)
                await asyncio.to_thread(postgres.start)
            else:
                await asyncio.to_thread(postgres.restart)
            return 1

        report = await run.run(inject, before=40, after=120)
        after = pids(run)
    assert_clean(report)
    assert after == before, "no service was restarted"
    assert run.workload.ok > 0
    # While the database is away a write is answered 503 with Retry-After (clients retry
    # those), never 500 (which most clients do not retry: the write would be lost).
    print("refused while Postgres was away:", dict(run.workload.refused))
    assert {status for status in run.workload.refused if status >= 500} <= {503}
    assert run.workload.unavailable_without_retry_after == 0


async def test_consumer_group_rebalancing_one_three_one_loses_nothing(
    platform: Platform, tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    service = rng.choice(("reporting", "notifications"))
    fault = f"{service} replicas 1 -> 3 -> 1"
    async with FaultRun(platform, tmp_path, fault=fault, seed=seed) as run:

        async def inject(r: FaultRun) -> int:
            extra = [await r.fleet.start(service) for _ in range(2)]
            await r.wait_requests(rng.randint(30, 60))
            for replica in extra:
                replica.stop()
                await r.wait_requests(rng.randint(10, 30))
            return 4  # four rebalances

        report = await run.run(inject, before=40, after=60)
    assert_clean(report)
