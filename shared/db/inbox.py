"""The inbox: which events a consumer group has applied (the consumer half of the rule)."""

from __future__ import annotations

from uuid import UUID

import asyncpg


async def claim_event(
    conn: asyncpg.Connection, *, group: str, event_id: UUID, event_type: str
) -> bool:
    """Record the event as applied by `group`; False if it already was (then skip it).

    Must run in the handler's transaction: if the handler fails, the claim rolls back too.
    """
    status: str = await conn.execute(
        """INSERT INTO inbox_message (consumer_group, event_id, event_type)
           VALUES ($1, $2, $3) ON CONFLICT DO NOTHING""",
        group,
        event_id,
        event_type,
    )
    return status.endswith(" 1")
