"""A batch the consumer could not handle is read again, not committed past (real Kafka).

The DLQ being unreachable makes `handle_batch` raise before anything is applied; the offsets
must not move, or every event of that batch is lost for the group.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import pytest

from shared.contracts.envelope import cloudevent_headers, encode_body
from shared.contracts.members import MemberRegisteredV1
from shared.db.migrate import SHARED_MIGRATIONS, load_migrations, migrate_up
from shared.db.pool import create_pool
from shared.db.unit_of_work import PgUnitOfWork
from shared.messaging.broker import attach_consumer, create_broker
from shared.messaging.consumer import ConsumerSettings, IdempotentConsumer
from shared.messaging.handlers import each, handler_map
from shared.messaging.security import KafkaConnection
from tests.support.builders import member_registered
from tests.support.kafka import produce_raw
from tests.support.platform import Platform
from tests.support.wait import eventually


@dataclass
class FlakyDeadLetters:
    """The DLQ refuses its first `failures` sends (its leader away), then takes them."""

    failures: int
    attempts: int = 0
    sent: list[Any] = field(default_factory=list)

    async def send(self, record: Any, headers: dict[str, str], *, reason: str, group: str) -> None:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise ConnectionError("the DLQ's leader is not available")
        self.sent.append(record)


@pytest.fixture
async def pool(platform: Platform) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(platform.database_urls["reporting"], min_size=1, max_size=4)
    async with pool.acquire() as conn:
        await migrate_up(conn, load_migrations([SHARED_MIGRATIONS]))
        await conn.execute("CREATE TABLE applied (event_id uuid NOT NULL)")
    yield pool
    await pool.close()


async def _insert(event: MemberRegisteredV1, uow: PgUnitOfWork) -> None:
    await uow.connection.execute("INSERT INTO applied VALUES ($1)", event.event_id)


async def test_a_batch_whose_poison_cannot_be_dead_lettered_is_read_again_and_loses_nothing(
    platform: Platform, pool: asyncpg.Pool
) -> None:
    topic = platform.topic("members.member")
    events = [member_registered() for _ in range(5)]
    for event in events[:2]:
        await _produce(platform, topic, encode_body(event), event)
    await produce_raw(platform.stack.kafka_bootstrap, topic, b"{not json", key=b"poison")
    for event in events[2:]:
        await _produce(platform, topic, encode_body(event), event)

    dead = FlakyDeadLetters(failures=2)
    consumer = IdempotentConsumer(
        ConsumerSettings(service="tests", group="tests.redelivery", tenant_scope="230000"),
        uow_factory=lambda: PgUnitOfWork(pool, source="/tests"),
        handlers=handler_map([each(MemberRegisteredV1, _insert)]),
        dead_letters=dead,
    )
    broker = create_broker(KafkaConnection(platform.stack.kafka_bootstrap), client_id="tests")
    attach_consumer(broker, consumer, topic, group_id=platform.group("tests.redelivery"))
    await broker.start()
    try:
        applied = await eventually(
            lambda: pool.fetchval("SELECT count(DISTINCT event_id) FROM applied"),
            lambda n: n == len(events),
            timeout=60,
            what="every good event applied after the DLQ came back",
        )
    finally:
        await broker.stop()

    assert applied == len(events)
    assert dead.attempts > dead.failures  # it was read again after the refused sends
    assert len(dead.sent) == 1  # the poison, once it could be dead-lettered
    assert await pool.fetchval("SELECT count(*) FROM applied") == len(events)  # none twice


async def _produce(platform: Platform, topic: str, body: bytes, event: MemberRegisteredV1) -> None:
    headers = cloudevent_headers(event, source="/tests")
    await produce_raw(
        platform.stack.kafka_bootstrap,
        topic,
        body,
        key=event.partition_key().encode(),
        headers=headers,
    )
