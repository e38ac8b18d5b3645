"""The member timeline (履职档案) and the data-platform pull feed: append-only, idempotent."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from shared.contracts.base import IntegrationEvent


@dataclass(frozen=True)
class TimelineEntry:
    event_id: UUID
    member_id: UUID
    occurred_at: datetime
    event_type: str
    subject_id: UUID | None
    facts: str  # a JSON object


class TimelineRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def append_all(self, entries: list[TimelineEntry]) -> None:
        """A batch's lines in one statement; a line already there stays as it is."""
        if not entries:
            return
        # The facts travel as text and become a JSON object in Postgres (no JSON encoding of
        # the already encoded text on the way).
        await self._conn.execute(
            """INSERT INTO timeline_entry (event_id, member_id, occurred_at, event_type,
                   subject_id, facts)
               SELECT u.event_id, u.member_id, u.occurred_at, u.event_type, u.subject_id,
                      u.facts::jsonb
               FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::text[], $5::uuid[],
                           $6::text[])
                 AS u(event_id, member_id, occurred_at, event_type, subject_id, facts)
               ON CONFLICT DO NOTHING""",
            [e.event_id for e in entries],
            [e.member_id for e in entries],
            [e.occurred_at for e in entries],
            [e.event_type for e in entries],
            [e.subject_id for e in entries],
            [e.facts for e in entries],
        )


_FEED_LOCK = 0x5EED_F00D


class FeedRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def append_all(self, facts: Sequence[IntegrationEvent]) -> None:
        """In the batch's order: `seq` is taken row by row as the SELECT yields them."""
        if not facts:
            return
        # Pull clients page by `seq`; a bigserial taken by a transaction that commits later than
        # a higher one would be skipped by a client already past it. Holding this lock to the
        # commit makes feed rows commit in `seq` order.
        await self._conn.execute("SELECT pg_advisory_xact_lock($1)", _FEED_LOCK)
        await self._conn.execute(
            """INSERT INTO feed_entry (event_id, event_type, region_code, payload)
               SELECT u.event_id, u.event_type, u.region_code, u.payload
               FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[])
                 WITH ORDINALITY AS u(event_id, event_type, region_code, payload, n)
               ORDER BY u.n
               ON CONFLICT DO NOTHING""",
            [f.event_id for f in facts],
            [f.event_type_name for f in facts],
            [f.region_code for f in facts],
            [f.model_dump_json() for f in facts],
        )
