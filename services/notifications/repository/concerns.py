"""Where each concern came from and which department holds it (from visits.concern.*)."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from services.notifications.domain.reactions import ConcernOrigin


class ConcernOriginRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def remember(
        self, concern_id: UUID, source: str, liaison_id: UUID | None, submitted_by: str | None
    ) -> None:
        await self._conn.execute(
            """INSERT INTO concern_origin (concern_id, source, liaison_id, submitted_by)
               VALUES ($1, $2, $3, $4)
               ON CONFLICT (concern_id) DO UPDATE
               SET source = EXCLUDED.source, liaison_id = EXCLUDED.liaison_id,
                   submitted_by = EXCLUDED.submitted_by""",
            concern_id,
            source,
            liaison_id,
            submitted_by,
        )

    async def assigned(self, concern_id: UUID, department_code: str) -> None:
        # An assignment seen before its submission (other consumer history) still counts.
        await self._conn.execute(
            """INSERT INTO concern_origin (concern_id, source, department_code)
               VALUES ($1, 'unknown', $2)
               ON CONFLICT (concern_id) DO UPDATE SET department_code = EXCLUDED.department_code""",
            concern_id,
            department_code,
        )

    async def get(self, concern_id: UUID) -> ConcernOrigin | None:
        row = await self._conn.fetchrow(
            """SELECT source, liaison_id, department_code, submitted_by FROM concern_origin
               WHERE concern_id = $1""",
            concern_id,
        )
        if row is None:
            return None
        return ConcernOrigin(
            row["source"], row["liaison_id"], row["department_code"], row["submitted_by"]
        )
