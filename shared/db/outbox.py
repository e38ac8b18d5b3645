"""Writing events to the outbox inside the caller's transaction (the producer half of the rule)."""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import asyncpg

from shared.contracts.base import IntegrationEvent
from shared.contracts.envelope import cloudevent_headers, encode_body
from shared.telemetry import current_traceparent

OUTBOX_SHARDS = 16
# Past this many rows COPY beats a multi-row INSERT by a wide margin (a policy fans out to
# tens of thousands of obligations in one transaction).
_COPY_THRESHOLD = 200
_COLUMNS = ("event_id", "event_type", "topic", "partition_key", "shard", "payload", "headers")


def shard_of(partition_key: str) -> int:
    """Stable across processes and versions (unlike hash()), so one key keeps one shard."""
    return zlib.crc32(partition_key.encode()) % OUTBOX_SHARDS


async def append_to_outbox(
    conn: asyncpg.Connection,
    events: Sequence[IntegrationEvent],
    *,
    source: str,
    traceparents: Sequence[str] | None = None,
) -> None:
    """Queue events for publishing; they leave only if the surrounding transaction commits.

    `traceparents[i]` is the trace `events[i]` joins (captured when it was recorded, see
    `PgUnitOfWork.record`); without them every event joins the current trace."""
    if not conn.is_in_transaction():
        raise RuntimeError("outbox rows must be written inside the business transaction")
    if traceparents is None:
        traceparents = [current_traceparent()] * len(events)
    rows = []
    for e, traceparent in zip(events, traceparents, strict=True):
        key = e.partition_key()
        headers = cloudevent_headers(e, source=source, traceparent=traceparent)
        rows.append(
            (
                e.event_id,
                e.event_type_name,
                e.topic,
                key,
                shard_of(key),
                encode_body(e).decode(),
                headers,
            )
        )
    if len(rows) >= _COPY_THRESHOLD:
        await conn.copy_records_to_table("outbox_message", records=rows, columns=_COLUMNS)
        return
    await conn.executemany(
        f"INSERT INTO outbox_message ({', '.join(_COLUMNS)}) "  # noqa: S608
        "VALUES ($1, $2, $3, $4, $5, $6, $7)",
        rows,
    )
