"""The service's background work lets go of what it holds when the service stops."""

from __future__ import annotations

import asyncio

import httpx

from services.notifications.jobs import close_when_stopped


async def test_the_gateway_client_is_closed_when_the_service_stops() -> None:
    client = httpx.AsyncClient()
    task = asyncio.create_task(close_when_stopped(client))
    await asyncio.sleep(0)
    assert not client.is_closed

    task.cancel()
    await asyncio.gather(task, return_exceptions=True)

    assert client.is_closed
