"""The member timeline (履职档案) and the data-platform pull feed: append-only, idempotent."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

from shared.contracts.base import IntegrationEvent


class TimelineRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def append(
        self,
        *,
        event_id: UUID,
        member_id: UUID,
        occurred_at: datetime,
        event_type: str,
        subject_id: UUID | None,
        facts: dict[str, Any],
    ) -> None:
        await self._conn.execute(
            """INSERT INTO timeline_entry (event_id, member_id, occurred_at, event_type,
                   subject_id, facts)
               VALUES ($1, $2, $3, $4, $5, $6::jsonb) ON CONFLICT DO NOTHING""",
            event_id,
            member_id,
            occurred_at,
            event_type,
            subject_id,
            json.dumps(facts, ensure_ascii=False),
        )


_FEED_LOCK = 0x5EED_F00D


class FeedRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def append(self, fact: IntegrationEvent) -> None:
        # Pull clients page by `seq`; a bigserial taken by a transaction that commits later than
        # a higher one would be skipped by a client already past it. Holding this lock to the
        # commit makes feed rows commit in `seq` order.
        await self._conn.execute("SELECT pg_advisory_xact_lock($1)", _FEED_LOCK)
        await self._conn.execute(
            """INSERT INTO feed_entry (event_id, event_type, region_code, payload)
               VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT DO NOTHING""",
            fact.event_id,
            fact.event_type_name,
            fact.region_code,
            fact.model_dump_json(),
        )
