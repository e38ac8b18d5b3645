"""Poison in the middle of good traffic: bad JSON, a body that breaks its schema, an unknown event
type, and a well-formed event from another tenant's region (another province).

Pass: each goes to `<topic>.dlq` (once per consumer group that would have applied it) or, for an
unknown type, is logged and skipped; the partition keeps flowing (the good events behind it on
the same key are applied); nothing of the poison reaches any database.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from shared.contracts.envelope import cloudevent_headers, encode_body
from shared.contracts.visits import VisitRecordedV1
from tests.support.builders import member_registered
from tests.support.faults import FaultRun
from tests.support.kafka import produce_raw
from tests.support.platform import Platform

BEIJING = "110101"  # not this deployment's province: another tenant


def _headers(event_type: str, event_id: UUID) -> dict[str, str]:
    return {
        "ce_id": str(event_id),
        "ce_type": event_type,
        "ce_source": "/poison",
        "ce_specversion": "1.0",
        "content-type": "application/json",
    }


def poison(member_id: UUID, rng: random.Random) -> list[tuple[str, str, bytes, dict[str, str]]]:
    """(kind, topic, body, headers) for every kind of poison, on an existing member's key."""
    visit_type = VisitRecordedV1.event_type_name
    foreign_member = member_registered(region_code=BEIJING, member_id=uuid4())
    foreign_visit = VisitRecordedV1(
        occurred_at=datetime.now(UTC),
        region_code=BEIJING,
        visit_id=uuid4(),
        member_id=member_id,
        sector_code="education",
        channel="online",
        occasion="routine",
        occurred_on=datetime.now(UTC).date(),
        place_kind="other",
        people_reached=rng.randint(1, 9),
        heart_to_heart_talks=0,
    )
    broken: dict[str, Any] = {"event_id": str(uuid4()), "member_id": "not-a-uuid"}
    return [
        ("bad_json", "visits.visit", b'{"event_id": "', _headers(visit_type, uuid4())),
        (
            "wrong_schema",
            "visits.visit",
            json.dumps(broken).encode(),
            _headers(visit_type, UUID(broken["event_id"])),
        ),
        (
            "unknown_type",
            "visits.visit",
            json.dumps({"event_id": str(uuid4())}).encode(),
            _headers("visits.visit.teleported.v1", uuid4()),
        ),
        (
            "other_tenant",
            "visits.visit",
            encode_body(foreign_visit),
            cloudevent_headers(foreign_visit, source="/poison"),
        ),
        (
            "other_tenant",
            "members.member",
            encode_body(foreign_member),
            cloudevent_headers(foreign_member, source="/poison"),
        ),
    ]


async def test_poison_messages_go_to_the_dlq_or_are_skipped_and_traffic_keeps_flowing(
    platform: Platform, tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    async with FaultRun(platform, tmp_path, fault="poison messages", seed=seed) as run:
        expected_dlq = 0

        async def inject(r: FaultRun) -> int:
            nonlocal expected_dlq
            member_id, _ = rng.choice(r.workload.member_ids)
            messages = poison(member_id, rng)
            rng.shuffle(messages)
            for kind, topic, body, headers in messages:
                r.poison.add(UUID(headers["ce_id"]))
                await produce_raw(
                    platform.stack.kafka_bootstrap,
                    platform.topic(topic),
                    body,
                    key=str(member_id).encode(),
                    headers=headers,
                )
                for g in r.groups:
                    if topic not in g.topics or kind == "unknown_type":
                        continue
                    if kind != "other_tenant" or headers["ce_type"] in g.event_types:
                        expected_dlq += 1
                await r.wait_requests(rng.randint(3, 10))
            return len(messages)

        report = await run.run(inject, before=30, after=60)
        foreign = [
            await platform.fetchval(
                "visits", "SELECT count(*) FROM member_roster WHERE region_code = $1", BEIJING
            ),
            await platform.fetchval(
                "reporting", "SELECT count(*) FROM member_dim WHERE region_code = $1", BEIJING
            ),
            await platform.fetchval(
                "reporting", "SELECT count(*) FROM visit WHERE region_code = $1", BEIJING
            ),
        ]
    print(report.summary())
    print(f"  DLQ reasons: {sorted(set(run.reconciliation.dlq_reasons))}")
    assert (report.lost, report.applied_twice, report.order_violations) == (0, 0, 0), (
        report.lost_examples
    )
    assert run.reconciliation.poison_applied == 0
    assert foreign == [0, 0, 0], "another tenant's events left rows behind"
    assert report.dlq == expected_dlq
