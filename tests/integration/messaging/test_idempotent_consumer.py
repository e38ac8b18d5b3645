"""The idempotent consumer on a real Postgres: applied once, retried, or dead-lettered.

Every record goes through `handle_batch`, the one path production takes; a batch of one is the
smallest case of it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import pytest

from shared.contracts.envelope import cloudevent_headers, encode_body
from shared.contracts.members import MemberRegisteredV1
from shared.db.migrate import SHARED_MIGRATIONS, load_migrations, migrate_up
from shared.db.pool import create_pool
from shared.db.unit_of_work import PgUnitOfWork
from shared.messaging.batch import handle_batch
from shared.messaging.consumer import ConsumerSettings, IdempotentConsumer, RejectEvent
from shared.messaging.handlers import EventHandler, Handler, each, handler_map, handles
from tests.support.builders import member_registered
from tests.support.platform import Platform


@dataclass
class Record:
    value: bytes | None
    headers: list[tuple[str, bytes]]
    topic: str = "members.member"
    partition: int = 0
    offset: int = 0
    key: bytes | None = None


@dataclass
class DeadLetterList:
    sent: list[tuple[Any, str]] = field(default_factory=list)

    async def send(self, record: Any, headers: dict[str, str], *, reason: str, group: str) -> None:
        self.sent.append((record, reason))


def _record(event: MemberRegisteredV1) -> Record:
    headers = cloudevent_headers(event, source="/tests")
    return Record(encode_body(event), [(k, v.encode()) for k, v in headers.items()])


@pytest.fixture
async def pool(platform: Platform) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(platform.database_urls["reporting"], min_size=1, max_size=4)
    async with pool.acquire() as conn:
        await migrate_up(conn, load_migrations([SHARED_MIGRATIONS]))
        await conn.execute("CREATE TABLE applied (event_id uuid NOT NULL)")
    yield pool
    await pool.close()


def _batch_consumer(
    pool: asyncpg.Pool,
    handler: Handler[MemberRegisteredV1, PgUnitOfWork],
    dead: DeadLetterList,
    *,
    tenant_scope: str = "230000",
) -> IdempotentConsumer:
    return IdempotentConsumer(
        ConsumerSettings(
            service="tests", group="tests.group", tenant_scope=tenant_scope, retry_base_seconds=0.01
        ),
        uow_factory=lambda: PgUnitOfWork(pool, source="/tests"),
        handlers=handler_map([handles(MemberRegisteredV1, handler)]),
        dead_letters=dead,
    )


def _consumer(
    pool: asyncpg.Pool,
    handler: EventHandler[MemberRegisteredV1, PgUnitOfWork],
    dead: DeadLetterList,
    *,
    tenant_scope: str = "230000",
) -> IdempotentConsumer:
    """A consumer whose use case takes one event at a time."""
    return IdempotentConsumer(
        ConsumerSettings(
            service="tests", group="tests.group", tenant_scope=tenant_scope, retry_base_seconds=0.01
        ),
        uow_factory=lambda: PgUnitOfWork(pool, source="/tests"),
        handlers=handler_map([each(MemberRegisteredV1, handler)]),
        dead_letters=dead,
    )


async def _one(consumer: IdempotentConsumer, record: Record) -> str:
    [outcome] = await handle_batch(consumer, [record])
    return outcome


async def _insert(event: MemberRegisteredV1, uow: PgUnitOfWork) -> None:
    await uow.connection.execute("INSERT INTO applied VALUES ($1)", event.event_id)


async def test_a_redelivered_event_is_applied_once(pool: asyncpg.Pool) -> None:
    consumer = _consumer(pool, _insert, DeadLetterList())
    record = _record(member_registered())
    assert await _one(consumer, record) == "applied"
    assert await _one(consumer, record) == "duplicate"
    assert await pool.fetchval("SELECT count(*) FROM applied") == 1


async def test_a_handler_that_keeps_failing_is_dead_lettered_and_leaves_no_trace(
    pool: asyncpg.Pool,
) -> None:
    calls = 0

    async def half_then_fail(event: MemberRegisteredV1, uow: PgUnitOfWork) -> None:
        nonlocal calls
        calls += 1
        await _insert(event, uow)
        raise ValueError("boom")

    dead = DeadLetterList()
    record = _record(member_registered())
    assert await _one(_consumer(pool, half_then_fail, dead), record) == "dead_lettered"
    assert calls == 1 + 3, "once in the batch, then max_attempts on its own"
    assert [reason for _, reason in dead.sent] == ["handler failed: ValueError('boom')"]
    assert await pool.fetchval("SELECT count(*) FROM applied") == 0
    assert await pool.fetchval("SELECT count(*) FROM inbox_message") == 0


async def test_a_handler_that_fails_once_is_retried_and_applied_once(pool: asyncpg.Pool) -> None:
    failures = iter([True])

    async def flaky(event: MemberRegisteredV1, uow: PgUnitOfWork) -> None:
        await _insert(event, uow)
        if next(failures, False):
            raise RuntimeError("transient bug")

    dead = DeadLetterList()
    assert await _one(_consumer(pool, flaky, dead), _record(member_registered())) == "applied"
    assert dead.sent == []
    assert await pool.fetchval("SELECT count(*) FROM applied") == 1


async def test_a_rejected_event_goes_straight_to_the_dlq(pool: asyncpg.Pool) -> None:
    async def reject(event: MemberRegisteredV1, uow: PgUnitOfWork) -> None:
        raise RejectEvent("region outside this deployment")

    dead = DeadLetterList()
    outcome = await _one(_consumer(pool, reject, dead), _record(member_registered()))
    assert outcome == "dead_lettered"
    assert [reason for _, reason in dead.sent] == ["rejected: region outside this deployment"]


async def test_unknown_types_are_acknowledged_without_dead_lettering(pool: asyncpg.Pool) -> None:
    dead = DeadLetterList()
    record = Record(b'{"x": 1}', [("ce_type", b"members.member.cloned.v7")])
    assert await _one(_consumer(pool, _insert, dead), record) == "unknown_type"
    assert dead.sent == []


async def test_a_batch_applies_in_one_go_and_a_duplicate_inside_it_once(pool: asyncpg.Pool) -> None:
    runs: list[int] = []

    async def insert_all(events: Sequence[MemberRegisteredV1], uow: PgUnitOfWork) -> None:
        runs.append(len(events))
        await uow.connection.executemany(
            "INSERT INTO applied VALUES ($1)", [(e.event_id,) for e in events]
        )

    consumer = _batch_consumer(pool, insert_all, DeadLetterList())
    events = [member_registered() for _ in range(5)]
    records = [_record(e) for e in [*events, events[2]]]
    outcomes = await handle_batch(consumer, records)
    assert outcomes == ["applied"] * 5 + ["duplicate"]
    assert runs == [5], "one set-based call for the run of five"
    assert await handle_batch(consumer, records[:2]) == ["duplicate", "duplicate"]
    assert await pool.fetchval("SELECT count(*) FROM applied") == 5


async def test_one_poison_event_in_a_batch_is_dead_lettered_and_its_neighbours_apply(
    pool: asyncpg.Pool,
) -> None:
    poison = member_registered(full_name="毒")

    async def refuse_poison(event: MemberRegisteredV1, uow: PgUnitOfWork) -> None:
        if event.event_id == poison.event_id:
            raise ValueError("cannot apply")
        await _insert(event, uow)

    dead = DeadLetterList()
    good = [member_registered() for _ in range(3)]
    records = [_record(good[0]), _record(poison), _record(good[1]), _record(good[2])]
    records.insert(1, Record(b"{not json", [("ce_type", b"members.member.registered.v1")]))
    outcomes = await handle_batch(_consumer(pool, refuse_poison, dead), records)
    assert outcomes == ["applied", "dead_lettered", "dead_lettered", "applied", "applied"]
    assert len(dead.sent) == 2
    assert await pool.fetchval("SELECT count(*) FROM applied") == 3


async def test_an_event_of_another_province_is_dead_lettered_and_its_own_provinces_apply(
    pool: asyncpg.Pool,
) -> None:
    dead = DeadLetterList()
    guangdong = _consumer(pool, _insert, dead, tenant_scope="440000")
    ours, theirs = member_registered(region_code="440103"), member_registered()
    assert await handle_batch(guangdong, [_record(ours), _record(theirs)]) == [
        "applied",
        "dead_lettered",
    ]
    assert [reason for _, reason in dead.sent] == [
        "rejected: region 230302 is outside tenant 440000"
    ]
    assert await pool.fetchval("SELECT count(*) FROM applied") == 1
