"""What `bench.rebuild` publishes: a year of reporting events built with the shared contracts."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from bench.workload import REGIONS, SECTORS, SURNAMES
from shared.contracts import members as m
from shared.contracts import visits as v
from shared.contracts.base import IntegrationEvent
from shared.kernel import new_id

CHANNELS = ("face_to_face", "regular_work", "online", "service", "innovative")


@dataclasses.dataclass
class _Member:
    member_id: UUID
    region: str
    sector: str
    liaisons: list[UUID]


def workload(count: int, *, seed: int = 2026) -> Iterator[IntegrationEvent]:
    """About 1 % registrations, 3 % liaisons, 7 % obligation and 13 % concern facts; the rest
    contact records of those members over 2026 (exactly `count` events)."""
    rng = random.Random(seed)
    members = [_member(rng) for _ in range(max(1, count // 100))]
    emitted = 0
    for member in members:
        for event in _directory(member, rng):
            if emitted < count:
                emitted += 1
                yield event
    while emitted < count:
        member = rng.choice(members)
        roll = rng.random()
        if roll < 0.04:
            story = _obligation(member, rng)
        elif roll < 0.07:
            story = _concern(member, rng)
        else:
            story = [_visit(member, rng)]
        for event in story[: count - emitted]:
            emitted += 1
            yield event


def _member(rng: random.Random) -> _Member:
    return _Member(new_id(), rng.choice(REGIONS), rng.choice(SECTORS), [new_id() for _ in range(3)])


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 2, tzinfo=UTC)


def _day(rng: random.Random) -> date:
    return date(2026, 1, 1) + timedelta(days=rng.randrange(360))


def _directory(member: _Member, rng: random.Random) -> list[IntegrationEvent]:
    base: dict[str, Any] = {"occurred_at": _at(date(2026, 1, 2)), "region_code": member.region}
    events: list[IntegrationEvent] = [
        m.MemberRegisteredV1(
            **base,
            member_id=member.member_id,
            full_name=rng.choice(SURNAMES) + "委员",
            sector_code=member.sector,
            committee_code=f"committee-{member.region}",
            special_committee_code=f"sc-{member.sector}",
        )
    ]
    events += [
        m.LiaisonLinkedV1(
            **base,
            member_id=member.member_id,
            liaison_id=liaison,
            display_name=rng.choice(SURNAMES) + "*明",
            sector_code=member.sector,
            consent_to_departments=False,
        )
        for liaison in member.liaisons
    ]
    return events


def _base(member: _Member, day: date) -> dict[str, Any]:
    return {"occurred_at": _at(day), "region_code": member.region, "member_id": member.member_id}


def _visit(member: _Member, rng: random.Random) -> v.VisitRecordedV1:
    day = _day(rng)
    return v.VisitRecordedV1(
        **_base(member, day),
        visit_id=new_id(),
        sector_code=member.sector,
        channel=rng.choice(CHANNELS),  # type: ignore[arg-type]
        occasion="routine",
        occurred_on=day,
        place_kind="unit",
        people_reached=rng.randint(1, 30),
        heart_to_heart_talks=rng.randint(0, 3),
        liaison_ids=rng.sample(member.liaisons, rng.randint(0, 2)),
    )


def _obligation(member: _Member, rng: random.Random) -> list[IntegrationEvent]:
    due, oid = _day(rng) + timedelta(days=5), new_id()
    common: dict[str, Any] = {"obligation_id": oid, "occasion_kind": "policy_issued"}
    common |= {"due_on": due, "sector_code": member.sector}
    fulfilled_on = due + timedelta(days=rng.randint(-10, 5))
    return [
        v.ObligationOpenedV1(
            **_base(member, due - timedelta(days=30)),
            **common,
            source_id=new_id(),
            title="关于进一步加强乡村教师队伍建设的意见",
        ),
        v.ObligationFulfilledV1(
            **_base(member, fulfilled_on),
            **common,
            visit_id=new_id(),
            fulfilled_on=fulfilled_on,
            on_time=fulfilled_on <= due,
        ),
    ]


def _concern(member: _Member, rng: random.Random) -> list[IntegrationEvent]:
    day, cid = _day(rng), new_id()

    def at(days: int) -> dict[str, Any]:
        return {**_base(member, day + timedelta(days=days)), "concern_id": cid}

    common: dict[str, Any] = {"sector_code": member.sector}
    department: dict[str, Any] = {"department_code": "jixi-education-bureau"}
    replied_on = day + timedelta(days=rng.randint(3, 25))
    return [
        v.ConcernSubmittedV1(**at(0), **common, kind="micro_suggestion", source="online"),
        v.ConcernAssignedV1(
            **at(1), **common, **department, due_on=day + timedelta(days=16), round=1
        ),
        v.ConcernRepliedV1(
            **{**at(0), "occurred_at": _at(replied_on)},
            **common,
            **department,
            replied_on=replied_on,
            on_time=replied_on <= day + timedelta(days=16),
            round=1,
        ),
        v.ConcernRatedV1(
            **at(26), **common, satisfaction=rng.randint(1, 5), resolved=rng.random() < 0.8, round=1
        ),
        v.ConcernClosedV1(**at(27), **common, resolved=True),
    ]
