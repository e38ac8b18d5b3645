"""Notifications' SQL (asyncpg). Never commits: the unit of work does."""

from __future__ import annotations

import asyncpg

from shared.contracts.members import MemberRegisteredV1


class RecipientRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def upsert(self, event: MemberRegisteredV1) -> None:
        await self._conn.execute(
            """INSERT INTO recipient
                   (member_id, display_name, region_code, sector_code, known_since)
               VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (member_id) DO UPDATE
               SET display_name = EXCLUDED.display_name, region_code = EXCLUDED.region_code,
                   sector_code = EXCLUDED.sector_code""",
            event.member_id,
            event.full_name,
            event.region_code,
            event.sector_code,
            event.occurred_at,
        )
