"""A known event history for reporting, its hand-computed KPIs, and fast bulk publishing."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from aiokafka import AIOKafkaProducer

from shared.contracts import members as m
from shared.contracts import visits as v
from shared.contracts.base import IntegrationEvent
from shared.contracts.envelope import cloudevent_headers, encode_body
from tests.support.platform import Platform

MISHAN, HULIN, HARBIN_DISTRICT = "230382", "230381", "230102"
OBLIGATION_TITLE = "关于进一步加强乡村教师队伍建设的意见"
UPGRADE_REFERENCE = "社情民意-2026-0042"


def at(day: date, hour: int = 2) -> datetime:
    """02:00 UTC is 10:00 in Beijing: the same local day."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


async def publish_many(platform: Platform, events: list[IntegrationEvent]) -> None:
    """Like builders.publish, but one producer for the lot (keys, headers and order kept)."""
    producer = AIOKafkaProducer(bootstrap_servers=platform.stack.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        sent = [
            await producer.send(
                platform.topic(e.topic),
                value=encode_body(e),
                key=e.partition_key().encode(),
                headers=[
                    (k, x.encode()) for k, x in cloudevent_headers(e, source="/tests").items()
                ],
            )
            for e in events
        ]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


@dataclass
class Member:
    """One member and the builders for events about them (only the facts a test cares about)."""

    region_code: str
    sector_code: str
    full_name: str
    special_committee_code: str | None = None
    member_id: UUID = field(default_factory=uuid4)

    def registered(self) -> m.MemberRegisteredV1:
        return m.MemberRegisteredV1(
            occurred_at=at(date(2026, 1, 2)),
            region_code=self.region_code,
            member_id=self.member_id,
            full_name=self.full_name,
            sector_code=self.sector_code,
            committee_code="cppcc-230300",
            special_committee_code=self.special_committee_code,
        )

    def _base(self, on: date) -> dict[str, Any]:
        return {"occurred_at": at(on), "region_code": self.region_code, "member_id": self.member_id}

    def liaison_linked(self, liaison_id: UUID, display_name: str) -> m.LiaisonLinkedV1:
        return m.LiaisonLinkedV1(
            **self._base(date(2026, 1, 5)),
            liaison_id=liaison_id,
            display_name=display_name,
            sector_code=self.sector_code,
            consent_to_departments=False,
        )

    def liaison_unlinked(self, liaison_id: UUID) -> m.LiaisonUnlinkedV1:
        return m.LiaisonUnlinkedV1(**self._base(date(2026, 2, 1)), liaison_id=liaison_id)

    def visit(
        self, on: date, channel: str, people: int, talks: int, **kw: Any
    ) -> v.VisitRecordedV1:
        return v.VisitRecordedV1(
            **self._base(on),
            visit_id=uuid4(),
            sector_code=self.sector_code,
            channel=channel,  # type: ignore[arg-type]
            occasion=kw.pop("occasion", "routine"),
            occurred_on=on,
            place_kind="unit",
            people_reached=people,
            heart_to_heart_talks=talks,
            **kw,
        )

    def obligation(self, cls: type[Any], ob_id: UUID, due: date, on: date, **kw: Any) -> Any:
        return cls(
            **self._base(on),
            obligation_id=ob_id,
            occasion_kind="policy_issued",
            sector_code=self.sector_code,
            due_on=due,
            **kw,
        )

    def opened(self, ob_id: UUID, due: date) -> v.ObligationOpenedV1:
        opened: v.ObligationOpenedV1 = self.obligation(
            v.ObligationOpenedV1,
            ob_id,
            due,
            due - timedelta(days=30),
            source_id=uuid4(),
            title=OBLIGATION_TITLE,
        )
        return opened

    def concern(self, cls: type[Any], concern_id: UUID, on: date, **kw: Any) -> Any:
        return cls(**self._base(on), concern_id=concern_id, sector_code=self.sector_code, **kw)

    def submitted(self, concern_id: UUID, on: date) -> v.ConcernSubmittedV1:
        submitted: v.ConcernSubmittedV1 = self.concern(
            v.ConcernSubmittedV1, concern_id, on, kind="micro_suggestion", source="online"
        )
        return submitted

    def assigned(self, concern_id: UUID, on: date, round_: int = 1) -> v.ConcernAssignedV1:
        assigned: v.ConcernAssignedV1 = self.concern(
            v.ConcernAssignedV1,
            concern_id,
            on,
            department_code="jixi-education-bureau",
            due_on=on + timedelta(days=15),
            round=round_,
        )
        return assigned

    def replied(
        self, concern_id: UUID, on: date, on_time: bool, round_: int = 1
    ) -> v.ConcernRepliedV1:
        replied: v.ConcernRepliedV1 = self.concern(
            v.ConcernRepliedV1,
            concern_id,
            on,
            department_code="jixi-education-bureau",
            replied_on=on,
            on_time=on_time,
            round=round_,
        )
        return replied

    def rated(
        self, concern_id: UUID, on: date, satisfaction: int, resolved: bool, round_: int = 1
    ) -> v.ConcernRatedV1:
        rated: v.ConcernRatedV1 = self.concern(
            v.ConcernRatedV1,
            concern_id,
            on,
            satisfaction=satisfaction,
            resolved=resolved,
            round=round_,
        )
        return rated
