"""Writing events to the outbox inside the caller's transaction (the producer half of the rule)."""

from __future__ import annotations

import asyncpg

from shared.contracts.base import IntegrationEvent
from shared.contracts.envelope import cloudevent_headers, encode_body
from shared.telemetry import current_traceparent

OUTBOX_SHARDS = 16

_INSERT = """
INSERT INTO outbox_message (event_id, event_type, topic, partition_key, shard, payload, headers)
VALUES ($1, $2, $3, $4, abs(hashtext($4)) % $5, $6, $7)
"""


async def append_to_outbox(
    conn: asyncpg.Connection, events: list[IntegrationEvent], *, source: str
) -> None:
    """Queue events for publishing; they leave only if the surrounding transaction commits."""
    if not conn.is_in_transaction():
        raise RuntimeError("outbox rows must be written inside the business transaction")
    traceparent = current_traceparent()
    await conn.executemany(
        _INSERT,
        [
            (
                e.event_id,
                e.event_type_name,
                e.topic,
                e.partition_key(),
                OUTBOX_SHARDS,
                encode_body(e).decode(),
                cloudevent_headers(e, source=source, traceparent=traceparent),
            )
            for e in events
        ],
    )
