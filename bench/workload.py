"""What both benchmarks move: MemberRegisteredV1 events, and their bytes as the relay sends them."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime

from shared.contracts.envelope import cloudevent_headers, encode_body
from shared.contracts.members import MemberRegisteredV1
from shared.kernel import new_id
from shared.messaging.producer import encode_headers

# Cities and counties of Heilongjiang (GB/T 2260), so the projection has many rows, not one.
REGIONS = ("230102", "230103", "230302", "230382", "230602", "231002", "230882", "232700")
# Codes of the national sectors (界别); the members service keeps the full list as reference data.
SECTORS = (
    "cpc",
    "cdl",
    "jiusan",
    "non_party",
    "youth",
    "women",
    "economy",
    "agriculture",
    "education",
    "science_tech",
    "culture_arts",
    "medicine_health",
    "sports",
    "social_welfare",
)
SURNAMES = "张王李赵刘陈杨黄周吴徐孙"
# The members service's outbox source, so baseline messages carry the same headers.
SOURCE = "/services/members"


@dataclass(frozen=True)
class WireMessage:
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]


def sample_events(count: int, *, seed: int = 2026) -> list[MemberRegisteredV1]:
    rng = random.Random(seed)
    at = datetime.now(UTC)
    return [_event(rng, at) for _ in range(count)]


def _event(rng: random.Random, at: datetime) -> MemberRegisteredV1:
    region = rng.choice(REGIONS)
    return MemberRegisteredV1(
        occurred_at=at,
        region_code=region,
        member_id=new_id(),
        full_name=rng.choice(SURNAMES) + "委员",
        sector_code=rng.choice(SECTORS),
        committee_code=f"committee-{region}",
    )


def on_the_wire(event: MemberRegisteredV1) -> WireMessage:
    """The key, body and headers the outbox relay publishes for `event`."""
    return WireMessage(
        key=event.partition_key().encode(),
        value=encode_body(event),
        headers=encode_headers(cloudevent_headers(event, source=SOURCE)),
    )
