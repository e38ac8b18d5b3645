"""Delivery you can trust: retries then `failed` (visible, retryable) without holding up other
channels; preferences and quiet hours hold; urgent hardship goes through at night."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from services.notifications.main import create_app
from shared.auth import Role
from shared.contracts.topics import NOTIFICATIONS_NOTIFICATION
from shared.kernel import FixedClock
from tests.integration.notifications import harness as h
from tests.support.builders import circumstance_reported, liaison_linked, member_registered, publish
from tests.support.gateway import StandInGateway
from tests.support.kafka import read_all
from tests.support.platform import Platform
from tests.support.servers import serving
from tests.support.wait import eventually

PREFS = {
    "channels": ["in_app", "email", "sms"],
    "email": "zhao@example.cn",
    "phone": "13800000002",
}


async def _status(platform: Platform, channel: str) -> list[str]:
    found = await h.rows(platform, "SELECT status FROM delivery WHERE channel = $1", channel)
    return [r["status"] for r in found]


async def _event_types(platform: Platform) -> list[dict[str, Any]]:
    topic = platform.topic(NOTIFICATIONS_NOTIFICATION.name)
    return [json.loads(m.value) for m in await read_all(platform.stack.kafka_bootstrap, topic)]


@pytest.mark.parametrize("mode", ["fail", "slow"])
async def test_a_failing_gateway_retries_then_fails_without_holding_up_email_and_inbox(
    platform: Platform,
    smtp: tuple[h.Mailbox, int],
    gateway: tuple[StandInGateway, str],
    mode: str,
) -> None:
    mailbox, port = smtp
    stand_in, url = gateway
    stand_in.mode = mode  # type: ignore[assignment]
    zhao = member_registered()
    await publish(platform, zhao)
    app = create_app(h.notification_settings(platform, port, url, **h.NEVER_QUIET))
    async with serving(app) as base, httpx.AsyncClient(base_url=base) as client:
        member = h.headers(platform, Role.MEMBER, "230302", member_id=zhao.member_id)
        assert (await client.put("/v1/preferences", json=PREFS, headers=member)).status_code == 200
        await publish(platform, h.obligation_opened(zhao.member_id))

        await eventually(lambda: _status(platform, "email"), lambda s: s == ["sent"])
        assert await _status(platform, "in_app") == ["sent"]
        await eventually(lambda: _status(platform, "sms"), lambda s: s == ["failed"])
        assert stand_in.attempts == 3
        assert len(mailbox.to("zhao@example.cn")) == 1

        staff = h.headers(platform, Role.CITY_ADMIN, "230300")
        failed = (await client.get("/v1/deliveries?status=failed", headers=staff)).json()["items"]
        assert [(d["channel"], d["attempts"]) for d in failed] == [("sms", 3)]
        assert "13800000002" not in json.dumps(failed)
        elsewhere = h.headers(platform, Role.CITY_ADMIN, "230100")
        assert (await client.get("/v1/deliveries", headers=elsewhere)).json()["items"] == []
        assert (await client.get("/v1/deliveries", headers=member)).status_code == 403

        failures = await eventually(
            lambda: _event_types(platform),
            lambda evs: any(e["event_type"].endswith("failed.v1") for e in evs),
        )
        assert "13800000002" not in json.dumps(failures)

        stand_in.mode = "ok"
        retry = await client.post(f"/v1/deliveries/{failed[0]['id']}/retry", headers=staff)
        assert retry.status_code == 202
        await eventually(lambda: _status(platform, "sms"), lambda s: s == ["sent"])
        assert stand_in.sent_to("sms", "13800000002")


async def test_quiet_hours_hold_outside_channels_but_not_urgent_hardship(
    platform: Platform, smtp: tuple[h.Mailbox, int], gateway: tuple[StandInGateway, str]
) -> None:
    mailbox, port = smtp
    stand_in, url = gateway
    zhao = member_registered()
    await publish(platform, zhao)
    # 23:00 in Jixi (15:00 UTC), today.
    clock = FixedClock(datetime.now(UTC).replace(hour=15, minute=0, second=0, microsecond=0))
    # Until the clock moves, a failed try's retry never comes due: time enough for a busy machine.
    settings = h.notification_settings(platform, port, url, gateway_timeout_seconds=30)
    app = create_app(settings, clock=clock)
    async with serving(app) as base, httpx.AsyncClient(base_url=base) as client:
        member = h.headers(platform, Role.MEMBER, "230302", member_id=zhao.member_id)
        prefs = {**PREFS, "channels": ["in_app", "sms"]}  # e-mail switched off
        assert (await client.put("/v1/preferences", json=prefs, headers=member)).status_code == 200
        await publish(platform, h.obligation_opened(zhao.member_id))
        await publish(platform, circumstance_reported(liaison_linked(zhao), "hardship"))

        await eventually(
            lambda: _status(platform, "sms"), lambda s: sorted(s) == ["pending", "sent"]
        )
        (urgent,) = stand_in.received
        assert "紧急" in urgent["title"]
        held = await h.rows(
            platform, "SELECT next_attempt_at FROM delivery WHERE status = 'pending'"
        )
        assert held[0]["next_attempt_at"] == clock.now() + timedelta(hours=8)
        assert await _status(platform, "email") == []
        assert mailbox.messages == []

        clock.advance(timedelta(hours=8, minutes=1))  # 07:01 the next morning
        await eventually(lambda: _status(platform, "sms"), lambda s: s == ["sent", "sent"])
        assert len(stand_in.sent_to("sms", "13800000002")) == 2
