"""Members SQL: liaisons."""

from __future__ import annotations

from uuid import UUID

import asyncpg


class LiaisonRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def count_linked(self, member_id: UUID) -> int:
        """Liaisons currently linked to the member (row-level security applies)."""
        count: int = await self._conn.fetchval(
            "SELECT count(*) FROM liaison WHERE member_id = $1 AND status = 'linked'", member_id
        )
        return count
