"""The outbox relay: publishes committed outbox rows to Kafka, then marks them sent.

Safe with many replicas: each pass takes one shard at a time under an advisory lock and reads
its rows `FOR UPDATE SKIP LOCKED` in id order, so one key's events leave in commit order and no
row is published by two relays at once. A crash between the broker's ack and the `sent_at`
update only means the row is published again: consumers deduplicate by event id.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer

from shared.db.outbox import OUTBOX_SHARDS
from shared.db.pool import DbConnection
from shared.faults import failpoint
from shared.logging import get_logger
from shared.messaging.consumer import TRANSIENT_ERRORS
from shared.messaging.producer import encode_headers
from shared.metrics import OUTBOX_BACKLOG, OUTBOX_PUBLISH_FAILURES, OUTBOX_PUBLISHED

log = get_logger(__name__)

_LOCK_NAMESPACE = 7_240_002
# The relay must outlive any outage: a pass that fails like this is simply tried again.
_RELAY_RETRIES: tuple[type[BaseException], ...] = (asyncpg.PostgresError, *TRANSIENT_ERRORS)
_MAX_BACKOFF_SECONDS = 60.0

_PENDING = """
SELECT id, topic, partition_key, payload, headers, attempts, next_attempt_at <= now() AS due
FROM outbox_message
WHERE shard = $1 AND sent_at IS NULL
ORDER BY id
LIMIT $2
FOR UPDATE SKIP LOCKED
"""


@dataclass(frozen=True)
class RelaySettings:
    service: str
    topic_prefix: str = ""
    batch_size: int = 500
    idle_poll_seconds: float = 0.05
    concurrency: int = 4


class OutboxRelay:
    def __init__(
        self, pool: asyncpg.Pool, producer: AIOKafkaProducer, settings: RelaySettings
    ) -> None:
        self._pool = pool
        self._producer = producer
        self._settings = settings

    async def run_forever(self) -> None:
        """Publish until cancelled; sleeps briefly only when there was nothing to do."""
        passes = 0
        while True:
            try:
                published = await self.publish_pending()
                if passes % 100 == 0:
                    await self._update_backlog_gauge()
            except _RELAY_RETRIES as exc:
                # The database or broker is away; keep trying, the rows are safe where they are.
                log.warning("outbox relay pass failed", error=repr(exc))
                published = 0
                await asyncio.sleep(1.0)
            passes += 1
            if published == 0:
                await asyncio.sleep(self._settings.idle_poll_seconds)

    async def publish_pending(self) -> int:
        """One pass over every shard with work; returns how many rows were published."""
        async with self._pool.acquire() as conn:
            if (
                await conn.fetchval("SELECT 1 FROM outbox_message WHERE sent_at IS NULL LIMIT 1")
                is None
            ):
                return 0
        shards = list(range(OUTBOX_SHARDS))
        random.shuffle(shards)  # replicas start on different shards instead of queueing
        # Shards are independent (a key lives in one), so several are in flight at once: the
        # broker's acks for one overlap with the database work of another.
        gate = asyncio.Semaphore(self._settings.concurrency)

        async def publish(shard: int) -> int:
            async with gate:
                return await self._publish_shard(shard)

        total = sum(await asyncio.gather(*(publish(s) for s in shards)))
        return total

    async def _publish_shard(self, shard: int) -> int:
        async with self._pool.acquire() as conn, conn.transaction():
            locked = await conn.fetchval(
                "SELECT pg_try_advisory_xact_lock($1, $2)", _LOCK_NAMESPACE, shard
            )
            if not locked:
                return 0
            rows = await conn.fetch(_PENDING, shard, self._settings.batch_size)
            # A row waiting out its backoff holds back the rows behind it, keeping key order.
            ready = _leading(rows, lambda r: bool(r["due"]))
            if not ready:
                return 0
            sent, failure = await self._send(ready)
            failpoint("relay.after_ack")
            await conn.execute(
                "UPDATE outbox_message SET sent_at = now() WHERE id = ANY($1::bigint[])",
                [r["id"] for r in sent],
            )
            if failure is not None:
                await self._record_failure(conn, *failure)
        OUTBOX_PUBLISHED.labels(self._settings.service).inc(len(sent))
        return len(sent)

    async def _send(
        self, rows: Sequence[asyncpg.Record]
    ) -> tuple[list[asyncpg.Record], tuple[asyncpg.Record, BaseException] | None]:
        """Send all rows pipelined; report the rows acked before the first failure, in order."""
        futures = []
        for row in rows:
            try:
                fut = await self._producer.send(
                    self._settings.topic_prefix + row["topic"],
                    value=row["payload"].encode(),
                    key=row["partition_key"].encode(),
                    headers=encode_headers(row["headers"]),
                )
            except Exception as exc:
                fut = asyncio.get_running_loop().create_future()
                fut.set_exception(exc)
            futures.append(fut)
        results = await asyncio.gather(*futures, return_exceptions=True)
        for index, result in enumerate(results):
            if isinstance(result, BaseException):
                return list(rows[:index]), (rows[index], result)
        return list(rows), None

    async def _record_failure(
        self, conn: DbConnection, row: asyncpg.Record, error: BaseException
    ) -> None:
        OUTBOX_PUBLISH_FAILURES.labels(self._settings.service).inc()
        delay = min(_MAX_BACKOFF_SECONDS, 0.5 * 2 ** row["attempts"])
        log.warning("outbox publish failed", outbox_id=row["id"], error=repr(error), retry_in=delay)
        await conn.execute(
            """UPDATE outbox_message
               SET attempts = attempts + 1, last_error = $2,
                   next_attempt_at = now() + make_interval(secs => $3)
               WHERE id = $1""",
            row["id"],
            repr(error)[:500],
            delay,
        )

    async def _update_backlog_gauge(self) -> None:
        async with self._pool.acquire() as conn:
            backlog = await conn.fetchval(
                "SELECT count(*) FROM outbox_message WHERE sent_at IS NULL"
            )
        OUTBOX_BACKLOG.labels(self._settings.service).set(backlog)


def _leading(rows: Sequence[Any], keep: Any) -> list[Any]:
    """The longest prefix of `rows` for which `keep` holds."""
    prefix = []
    for row in rows:
        if not keep(row):
            break
        prefix.append(row)
    return prefix
