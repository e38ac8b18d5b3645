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


async def claim_events(
    conn: asyncpg.Connection, *, group: str, events: list[tuple[UUID, str]]
) -> set[UUID]:
    """The batch form of claim_event: the ids of `events` this call newly claimed."""
    rows = await conn.fetch(
        """INSERT INTO inbox_message (consumer_group, event_id, event_type)
           SELECT $1, u.event_id, u.event_type
           FROM unnest($2::uuid[], $3::text[]) AS u(event_id, event_type)
           ON CONFLICT DO NOTHING
           RETURNING event_id""",
        group,
        [e[0] for e in events],
        [e[1] for e in events],
    )
    return {r["event_id"] for r in rows}
