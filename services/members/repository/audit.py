"""Members SQL: the append-only audit log of personal-data reads and changes."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from shared.auth import Principal


class PiiAuditLog:
    """Only INSERT and SELECT: the table's grants and trigger refuse anything else."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def record(
        self,
        principal: Principal,
        action: str,
        liaison_ids: Sequence[UUID | None],
        fields: Sequence[str],
        reason: str,
    ) -> None:
        """One row per liaison touched, in the caller's transaction (no audit, no access)."""
        await self._conn.executemany(
            """INSERT INTO pii_audit (actor, actor_role, action, liaison_id, fields, reason)
               VALUES ($1, $2, $3, $4, $5, $6)""",
            [
                (principal.subject, principal.role.value, action, lid, list(fields), reason)
                for lid in liaison_ids
            ],
        )
