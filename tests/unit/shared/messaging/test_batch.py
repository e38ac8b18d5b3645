"""The batch path with an in-memory unit of work: runs, replay, and where its log lines point."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast
from uuid import UUID

import pytest
import structlog
from structlog.testing import capture_logs

from shared.contracts.envelope import cloudevent_headers, encode_body
from shared.contracts.members import MemberRegisteredV1, MemberRetiredV1
from shared.db.unit_of_work import PgUnitOfWork
from shared.messaging.batch import handle_batch
from shared.messaging.consumer import ConsumerSettings, IdempotentConsumer
from shared.messaging.handlers import Handles, handler_map, handles
from tests.support.builders import member_registered


@dataclass
class Record:
    value: bytes | None
    headers: list[tuple[str, bytes]]
    offset: int
    topic: str = "members.member"
    partition: int = 3
    key: bytes | None = None


@dataclass
class DeadLetterList:
    reasons: list[str] = field(default_factory=list)

    async def send(self, record: Any, headers: dict[str, str], *, reason: str, group: str) -> None:
        self.reasons.append(reason)


class MemoryUnitOfWork:
    """A transaction that applies nothing itself: the handlers record what they were given."""

    connection = None

    async def __aenter__(self) -> MemoryUnitOfWork:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def commit(self) -> None:
        return None


class EveryIdIsNew:
    async def claim(self, conn: Any, *, group: str, events: list[tuple[UUID, str]]) -> set[UUID]:
        return {event_id for event_id, _ in events}


def _record(event: MemberRegisteredV1, offset: int) -> Record:
    headers = cloudevent_headers(event, source="/tests")
    return Record(encode_body(event), [(k, v.encode()) for k, v in headers.items()], offset)


def _consumer(entries: list[Handles[Any]], dead: DeadLetterList) -> IdempotentConsumer:
    return IdempotentConsumer(
        ConsumerSettings(
            service="t", group="g", tenant_scope="230000", max_attempts=2, retry_base_seconds=0
        ),
        uow_factory=lambda: cast(PgUnitOfWork, MemoryUnitOfWork()),
        handlers=handler_map(entries),
        dead_letters=dead,
        inbox=EveryIdIsNew(),
    )


@pytest.fixture
def logs() -> Iterator[list[MutableMapping[str, Any]]]:
    with capture_logs(processors=[structlog.contextvars.merge_contextvars]) as captured:
        yield captured


async def test_consecutive_events_of_one_handler_are_one_call_and_the_order_is_kept() -> None:
    calls: list[list[UUID]] = []

    async def apply(events: Sequence[MemberRegisteredV1 | MemberRetiredV1], uow: Any) -> None:
        calls.append([e.event_id for e in events])

    joining: tuple[type[MemberRegisteredV1 | MemberRetiredV1], ...] = (
        MemberRegisteredV1,
        MemberRetiredV1,
    )
    events = [member_registered() for _ in range(4)]
    consumer = _consumer([handles(joining, apply)], DeadLetterList())
    outcomes = await handle_batch(consumer, [_record(e, n) for n, e in enumerate(events)])
    assert outcomes == ["applied"] * 4
    assert calls == [[e.event_id for e in events]]


async def test_a_poison_event_is_replayed_alone_and_the_log_says_where_it_sits(
    logs: list[MutableMapping[str, Any]],
) -> None:
    poison = member_registered(full_name="毒")

    async def apply(events: Sequence[MemberRegisteredV1], uow: Any) -> None:
        if any(e.event_id == poison.event_id for e in events):
            raise ValueError("cannot apply")

    dead = DeadLetterList()
    records = [
        _record(member_registered(), 40),
        _record(poison, 41),
        _record(member_registered(), 42),
    ]
    outcomes = await handle_batch(_consumer([handles(MemberRegisteredV1, apply)], dead), records)

    assert outcomes == ["applied", "dead_lettered", "applied"]
    assert dead.reasons == ["handler failed: ValueError('cannot apply')"]
    [batch_failed] = [line for line in logs if line["event"].startswith("batch failed")]
    assert (batch_failed["topic"], batch_failed["partition"], batch_failed["offset"]) == (
        "members.member",
        3,
        40,
    )
    handler_failed = [line for line in logs if line["event"] == "handler failed"]
    assert [(line["offset"], line["event_id"]) for line in handler_failed] == [
        (41, str(poison.event_id))
    ] * 2, "max_attempts tries, each naming the poison's offset"


async def test_an_unknown_event_type_is_acknowledged_and_logged_with_its_position(
    logs: list[MutableMapping[str, Any]],
) -> None:
    async def apply(events: Sequence[MemberRegisteredV1], uow: Any) -> None:
        return None

    record = Record(b'{"x": 1}', [("ce_type", b"members.member.cloned.v7")], offset=7)
    dead = DeadLetterList()
    assert await handle_batch(_consumer([handles(MemberRegisteredV1, apply)], dead), [record]) == [
        "unknown_type"
    ]
    [line] = [line for line in logs if line["event"] == "unknown event type acknowledged"]
    assert (line["topic"], line["partition"], line["offset"]) == ("members.member", 3, 7)
    assert dead.reasons == []
    assert structlog.contextvars.get_contextvars() == {}, "nothing stays bound after the batch"
