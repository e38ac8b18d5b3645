"""Members per region and sector (the first slice)."""

from __future__ import annotations

import asyncpg


class MemberCountRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def increment(self, region_code: str, sector_code: str, by: int = 1) -> None:
        await self._conn.execute(
            """INSERT INTO member_count (region_code, sector_code, members)
               VALUES ($1, $2, $3)
               ON CONFLICT (region_code, sector_code)
               DO UPDATE SET members = member_count.members + EXCLUDED.members""",
            region_code,
            sector_code,
            by,
        )
