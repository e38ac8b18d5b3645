"""A killed replica's replacement serves at once and takes the partitions over quickly; a frozen
broker does not hang the readiness probe (issue 19, items 8 and 9).

The bounds are the issue's acceptance criteria: HTTP within 5 s of the replacement's start,
consuming within 15 s of it (the killed member's 10 s session must expire first), and readiness
answering within its 1.5 s deadline (2 s with the round trip) while the broker is frozen.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from services.reporting.consumers import KPI_GROUP
from tests.integration.reporting.history import MISHAN, Member, publish_many
from tests.support.platform import Platform
from tests.support.servers import ServiceProcess
from tests.support.wait import eventually

SERVES_WITHIN, CONSUMES_WITHIN, READY_ANSWERS_WITHIN = 5.0, 15.0, 2.0


async def _status(url: str, path: str) -> int | None:
    try:
        async with httpx.AsyncClient(timeout=1.0) as client:
            return (await client.get(f"{url}{path}")).status_code
    except httpx.TransportError:
        return None


@contextmanager
def _frozen(pid: int) -> Iterator[None]:
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(pid, signal.SIGCONT)


async def test_a_killed_replicas_replacement_serves_at_once_and_consumes_within_15_s(
    platform: Platform, tmp_path: Path
) -> None:
    env = platform.env("reporting")
    first = ServiceProcess("reporting", env, tmp_path / "reporting-1.log")
    replacement = ServiceProcess("reporting", env, tmp_path / "reporting-2.log")
    try:
        await first.start()  # ready: its consumers own every partition of the group
        assert first.process is not None
        first.process.send_signal(signal.SIGKILL)
        first.process.wait()
        registered = Member(MISHAN, "education", "乙委员").registered()
        await publish_many(platform, [registered])

        started = time.monotonic()
        replacement.launch()
        await eventually(
            lambda: _status(replacement.url, "/health/live"),
            lambda status: status == 200,
            timeout=SERVES_WITHIN,
            what="the replacement serving HTTP",
        )
        served = time.monotonic() - started

        async def applied() -> Any:
            return await platform.fetchval(
                "reporting",
                "SELECT count(*) FROM inbox_message WHERE consumer_group = $1 AND event_id = $2",
                KPI_GROUP,
                registered.event_id,
            )

        await eventually(
            applied,
            lambda n: n == 1,
            timeout=CONSUMES_WITHIN - (time.monotonic() - started),
            interval=0.2,
            what="the event published while no replica ran, applied by the replacement",
        )
        consumed = time.monotonic() - started
        print(f"\nreplacement: HTTP after {served:.1f} s, consuming after {consumed:.1f} s")
    finally:
        first.stop()
        replacement.stop()


async def test_readiness_answers_within_its_deadline_with_the_broker_frozen(
    platform: Platform, tmp_path: Path
) -> None:
    replica = ServiceProcess("reporting", platform.env("reporting"), tmp_path / "reporting.log")
    [node] = platform.stack.kafka.node_ids
    pid = platform.stack.kafka.node_pid(node)
    assert pid is not None, "the test stack's broker runs"
    try:
        await replica.start()
        async with httpx.AsyncClient(timeout=READY_ANSWERS_WITHIN + 3) as client:
            with _frozen(pid):
                asked = time.monotonic()
                answer = await client.get(f"{replica.url}/health/ready")
                took = time.monotonic() - asked
        assert took < READY_ANSWERS_WITHIN, f"readiness took {took:.2f} s"
        assert answer.status_code == 503
        assert answer.json()["checks"]["broker"] is False
        assert answer.json()["checks"]["database"] is True
    finally:
        replica.stop()
