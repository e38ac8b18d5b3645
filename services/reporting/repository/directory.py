"""Member and liaison dimensions. Newer facts win by their own timestamps, whatever the order."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import asyncpg


class DirectoryRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def save_profile(
        self,
        member_id: UUID,
        *,
        region_code: str,
        at: datetime,
        profile: tuple[str, str, str, str | None],
        status: str | None,
    ) -> None:
        """`profile` is (full_name, sector, committee, special committee); status if carried."""
        full_name, sector, committee, special = profile
        await self._conn.execute(
            """INSERT INTO member_dim (member_id, region_code) VALUES ($1, $2)
               ON CONFLICT DO NOTHING""",
            member_id,
            region_code,
        )
        await self._conn.execute(
            """UPDATE member_dim SET region_code = $2, full_name = $3, sector_code = $4,
                   committee_code = $5, special_committee_code = $6, profile_at = $7
               WHERE member_id = $1 AND (profile_at IS NULL OR profile_at <= $7)""",
            member_id,
            region_code,
            full_name,
            sector,
            committee,
            special,
            at,
        )
        if status is not None:
            await self.save_status(member_id, region_code=region_code, at=at, status=status)

    async def save_status(
        self, member_id: UUID, *, region_code: str, at: datetime, status: str
    ) -> None:
        await self._conn.execute(
            """INSERT INTO member_dim AS m (member_id, region_code, status, status_at)
               VALUES ($1, $2, $3, $4)
               ON CONFLICT (member_id) DO UPDATE SET
                 status = CASE WHEN m.status_at IS NULL OR m.status_at <= $4
                               THEN $3 ELSE m.status END,
                 status_at = greatest(m.status_at, $4)""",
            member_id,
            region_code,
            status,
            at,
        )

    async def link_liaison(
        self, liaison_id: UUID, member_id: UUID, *, region_code: str, sector: str, on: date
    ) -> None:
        await self._conn.execute(
            """INSERT INTO liaison AS l (liaison_id, member_id, region_code, sector_code, linked_on)
               VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (liaison_id) DO UPDATE SET
                 member_id = $2, region_code = $3, sector_code = $4,
                 linked_on = greatest(l.linked_on, $5)""",
            liaison_id,
            member_id,
            region_code,
            sector,
            on,
        )

    async def unlink_liaison(
        self, liaison_id: UUID, member_id: UUID, *, region_code: str, on: date
    ) -> None:
        await self._conn.execute(
            """INSERT INTO liaison AS l (liaison_id, member_id, region_code, unlinked_on)
               VALUES ($1, $2, $3, $4)
               ON CONFLICT (liaison_id) DO UPDATE SET
                 unlinked_on = greatest(l.unlinked_on, $4)""",
            liaison_id,
            member_id,
            region_code,
            on,
        )
