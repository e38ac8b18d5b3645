"""A connected client hears of a new inbox item over Server-Sent Events."""

from __future__ import annotations

import asyncio
import json

import httpx

from services.notifications.main import create_app
from services.notifications.settings import NotificationsSettings
from shared.auth import Role
from tests.integration.notifications import harness as h
from tests.support.builders import member_registered, publish
from tests.support.platform import Platform
from tests.support.servers import serving


async def test_the_stream_delivers_a_new_item_to_a_connected_client(platform: Platform) -> None:
    qian = member_registered()
    app = create_app(
        platform.settings(NotificationsSettings, "notifications", stream_poll_seconds=0.1),
        deliver=False,
    )
    member = h.headers(platform, Role.MEMBER, "230302", member_id=qian.member_id)
    async with (
        serving(app) as base,
        httpx.AsyncClient(base_url=base, timeout=30) as client,
        client.stream("GET", "/v1/inbox/stream", headers=member) as response,
    ):
        assert response.status_code == 200
        lines = response.aiter_lines()
        assert await _next_event(lines) == ("ready", "{}")
        await publish(platform, h.obligation_opened(qian.member_id))
        event, data = await asyncio.wait_for(_next_event(lines), timeout=30)
    assert event == "notification"
    assert json.loads(data)["kind"] == "obligation_opened"


async def _next_event(lines: object) -> tuple[str, str]:
    event = data = ""
    async for line in lines:  # type: ignore[attr-defined]
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:"):
            data = line.split(":", 1)[1].strip()
        elif line == "" and event:
            return event, data
    raise AssertionError("stream ended")
