"""The inbox: which events a consumer group has applied (the consumer half of the rule)."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

import asyncpg


async def claim_events(
    conn: asyncpg.Connection, *, group: str, events: list[tuple[UUID, str]]
) -> set[UUID]:
    """Record each event as applied by `group`; the ids this call newly claimed (the others
    were applied already: skip them).

    Must run in the handler's transaction: if the handler fails, the claims roll back too.
    """
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


class Inbox(Protocol):
    """Where a consumer claims event ids: `claim` returns those of `events` it may apply."""

    async def claim(
        self, conn: asyncpg.Connection, *, group: str, events: list[tuple[UUID, str]]
    ) -> set[UUID]: ...


class PgInbox:
    """The inbox table, claimed in the handler's transaction (every live consumer's inbox)."""

    async def claim(
        self, conn: asyncpg.Connection, *, group: str, events: list[tuple[UUID, str]]
    ) -> set[UUID]:
        return await claim_events(conn, group=group, events=events)
