"""Members SQL: the append-only audit log of personal-data reads and changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from shared.auth import Principal


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: datetime
    actor: str
    actor_role: str
    action: str
    liaison_id: UUID | None
    fields: list[str]
    reason: str


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

    async def search(
        self,
        *,
        liaison_id: UUID | None,
        actor: str | None,
        after: int | None,
        limit: int,
    ) -> list[AuditRecord]:
        rows = await self._conn.fetch(
            """SELECT id, at, actor, actor_role, action, liaison_id, fields, reason
               FROM pii_audit
               WHERE ($1::uuid IS NULL OR liaison_id = $1) AND ($2::text IS NULL OR actor = $2)
                 AND ($3::bigint IS NULL OR id > $3)
               ORDER BY id LIMIT $4""",
            liaison_id,
            actor,
            after,
            limit,
        )
        return [AuditRecord(**dict(r)) for r in rows]
