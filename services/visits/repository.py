"""Visits' SQL (asyncpg). Never commits: the unit of work does."""

from __future__ import annotations

import asyncpg

from shared.contracts.members import MemberRegisteredV1


class MemberRosterRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def upsert(self, event: MemberRegisteredV1) -> None:
        await self._conn.execute(
            """INSERT INTO member_roster
                   (member_id, region_code, sector_code, committee_code, joined_at)
               VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (member_id) DO UPDATE
               SET region_code = EXCLUDED.region_code, sector_code = EXCLUDED.sector_code,
                   committee_code = EXCLUDED.committee_code""",
            event.member_id,
            event.region_code,
            event.sector_code,
            event.committee_code,
            event.occurred_at,
        )
