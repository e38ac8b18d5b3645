"""`kill -9` of a consumer just before its batch's DB commit, and between the DB commit and the
Kafka offset commit: nothing lost, nothing applied twice.

Failpoints (shared/faults.py) make the consuming service kill itself on the n-th batch (n from
the seed) while the workload keeps flowing; a clean replica takes over. Before the DB commit the
batch rolls back and is redelivered; after it, the batch is redelivered and the inbox skips it.
"""

from __future__ import annotations

import random
import signal
from pathlib import Path

import pytest

from tests.support.faults import FaultRun
from tests.support.platform import Platform

CONSUMERS = ("visits", "notifications", "reporting")


async def kill_by_failpoint(run: FaultRun, service: str) -> int:
    victim = run.fleet.processes[service][0]
    assert await victim.wait_exit(timeout=120) == -signal.SIGKILL
    run.mark_injected()
    await run.fleet.replace(victim)
    return 1


@pytest.mark.parametrize("point", ["consumer.before_db_commit", "consumer.after_db_commit"])
async def test_consumer_killed_around_its_commit_loses_nothing_and_applies_nothing_twice(
    platform: Platform, tmp_path: Path, seed: int, point: str
) -> None:
    rng = random.Random(seed)
    service, nth = rng.choice(CONSUMERS), rng.randint(2, 6)
    fault = f"kill -9 {service} at {point} (batch {nth})"
    env = {service: {"CPPCC_FAILPOINTS": f"{point}@{nth}"}}
    async with FaultRun(platform, tmp_path, fault=fault, seed=seed, env=env) as run:
        report = await run.run(lambda r: kill_by_failpoint(r, service), before=40, after=80)
    print(report.summary())
    assert report.faults_injected == 1
    assert (report.lost, report.applied_twice, report.order_violations) == (0, 0, 0), (
        report.lost_examples
    )


@pytest.mark.slow
@pytest.mark.timeout(1800)
async def test_consumers_killed_again_and_again_lose_nothing(
    platform: Platform, tmp_path: Path, seed: int
) -> None:
    """The long version: ten kills, each replica armed with a failpoint the seed picks."""
    rng = random.Random(seed)
    rounds = 10
    async with FaultRun(platform, tmp_path, fault=f"{rounds} consumer kills", seed=seed) as run:

        async def inject(r: FaultRun) -> int:
            for _ in range(rounds):
                service = rng.choice(CONSUMERS)
                point = rng.choice(["consumer.before_db_commit", "consumer.after_db_commit"])
                old = r.fleet.running(service)[0]
                env = {"CPPCC_FAILPOINTS": f"{point}@{rng.randint(1, 6)}"}
                try:
                    armed = await r.fleet.start(service, env)
                except AssertionError:  # it reached its failpoint before answering ready
                    armed = r.fleet.processes[service][-1]
                old.stop()
                r.fleet.processes[service].remove(old)
                assert await armed.wait_exit(timeout=240) == -signal.SIGKILL
                await r.fleet.replace(armed)
            return rounds

        report = await run.run(inject, before=40, after=80)
    print(report.summary())
    assert report.faults_injected == rounds
    assert (report.lost, report.applied_twice, report.order_violations) == (0, 0, 0), (
        report.lost_examples
    )
