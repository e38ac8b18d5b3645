"""Builders for events and their wire form, so each test states only what it cares about."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from shared.contracts.base import IntegrationEvent
from shared.contracts.envelope import cloudevent_headers, encode_body
from shared.contracts.members import MemberRegisteredV1
from tests.support.kafka import produce_raw
from tests.support.platform import Platform


def member_registered(**overrides: Any) -> MemberRegisteredV1:
    values: dict[str, Any] = {
        "occurred_at": datetime.now(UTC),
        "region_code": "230302",
        "member_id": uuid4(),
        "full_name": "测试委员",
        "sector_code": "education",
        "committee_code": "cppcc-230300",
        **overrides,
    }
    return MemberRegisteredV1(**values)


async def publish(platform: Platform, event: IntegrationEvent) -> None:
    """Put `event` on its topic exactly as the outbox relay would (body, key, headers)."""
    await produce_raw(
        platform.stack.kafka_bootstrap,
        platform.topic(event.topic),
        encode_body(event),
        key=event.partition_key().encode(),
        headers=cloudevent_headers(event, source="/tests"),
    )
