"""The outbox on real Postgres and Kafka: all or nothing with the business rows; relays in
parallel publish every row exactly once and each key's events in commit order."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator
from uuid import uuid4

import asyncpg
import pytest

from shared.contracts.topics import MEMBERS_MEMBER
from shared.db.migrate import SHARED_MIGRATIONS, load_migrations, migrate_up
from shared.db.pool import create_pool
from shared.db.unit_of_work import PgUnitOfWork
from shared.messaging.producer import create_producer
from shared.messaging.relay import OutboxRelay, RelaySettings
from shared.messaging.security import KafkaConnection
from tests.support.builders import member_registered
from tests.support.kafka import read_all
from tests.support.platform import Platform
from tests.support.wait import eventually

UNSENT = "SELECT count(*) FROM outbox_message WHERE sent_at IS NULL"


@pytest.fixture
async def pool(platform: Platform) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(platform.database_urls["members"], min_size=1, max_size=8)
    async with pool.acquire() as conn:
        await migrate_up(conn, load_migrations([SHARED_MIGRATIONS]))
        await conn.execute("CREATE TABLE business_row (id uuid PRIMARY KEY)")
    yield pool
    await pool.close()


async def test_a_rolled_back_use_case_leaves_neither_rows_nor_events(pool: asyncpg.Pool) -> None:
    async def failing_use_case() -> None:
        async with PgUnitOfWork(pool, source="/tests") as uow:
            await uow.connection.execute("INSERT INTO business_row VALUES ($1)", uuid4())
            uow.record(member_registered())
            raise RuntimeError("the use case failed before commit")

    with pytest.raises(RuntimeError):
        await failing_use_case()
    async with PgUnitOfWork(pool, source="/tests") as uow:
        await uow.connection.execute("INSERT INTO business_row VALUES ($1)", uuid4())
        uow.record(member_registered())
        await uow.commit()
    assert await pool.fetchval("SELECT count(*) FROM business_row") == 1
    assert await pool.fetchval("SELECT count(*) FROM outbox_message") == 1


async def test_three_relays_publish_each_row_once_and_keep_per_key_order(
    platform: Platform, pool: asyncpg.Pool
) -> None:
    keys = [uuid4() for _ in range(30)]
    # Small transactions take the INSERT path, the big one the COPY path: both must hold.
    written = 0
    for size in [100] * 10 + [1000]:
        async with PgUnitOfWork(pool, source="/tests") as uow:
            uow.record(
                *(member_registered(member_id=keys[(written + i) % 30]) for i in range(size))
            )
            await uow.commit()
        written += size
    expected = defaultdict(list)
    for row in await pool.fetch("SELECT event_id, partition_key FROM outbox_message ORDER BY id"):
        expected[row["partition_key"]].append(str(row["event_id"]))

    producers = [
        create_producer(KafkaConnection(platform.stack.kafka_bootstrap), client_id=f"r{i}")
        for i in range(3)
    ]
    settings = RelaySettings(service="tests", topic_prefix=platform.topic_prefix, batch_size=50)
    tasks = []
    for producer in producers:
        await producer.start()
        tasks.append(asyncio.create_task(OutboxRelay(pool, producer, settings).run_forever()))
    try:
        await eventually(lambda: pool.fetchval(UNSENT), lambda n: n == 0, timeout=60)
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for producer in producers:
            await producer.stop()

    messages = await read_all(platform.stack.kafka_bootstrap, platform.topic(MEMBERS_MEMBER.name))
    seen = defaultdict(list)
    for m in messages:  # read_all returns each partition in offset order
        seen[m.key.decode()].append(dict(m.headers)["ce_id"].decode())
    assert len(messages) == 2000
    assert seen == expected
