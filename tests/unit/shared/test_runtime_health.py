"""A replica whose consumers could not start says so: not ready, and no longer live."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest

from shared.runtime import Runtime


def _runtime(task: asyncio.Task[None] | None) -> Runtime:
    # Only the consumers' start matters here; the rest is never touched by these checks.
    none = cast(Any, None)
    return Runtime(none, none, none, none, consumers_task=task)


async def _fails() -> None:
    raise ConnectionError("no broker")


async def test_consumers_still_joining_are_not_ready_but_alive() -> None:
    joined = asyncio.Event()

    async def join() -> None:
        await joined.wait()

    task = asyncio.create_task(join())
    runtime = _runtime(task)

    assert await runtime.consumers_started() is False
    assert await runtime.consumers_not_failed() is True
    joined.set()
    await task
    assert await runtime.consumers_started() is True


async def test_consumers_that_failed_to_start_make_the_replica_not_live() -> None:
    task = asyncio.create_task(_fails())
    with pytest.raises(ConnectionError):
        await task
    runtime = _runtime(task)

    assert await runtime.consumers_started() is False
    assert await runtime.consumers_not_failed() is False
    assert (await runtime.liveness_checks()["consumers"]()) is False
