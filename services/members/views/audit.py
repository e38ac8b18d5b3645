"""Reads of the personal-data audit log, for the security auditor (nothing here changes it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from services.members.domain.access import require_auditor
from services.members.unit_of_work import MembersUnitOfWork
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


async def search_pii_audit(
    *,
    principal: Principal,
    uow: MembersUnitOfWork,
    liaison_id: UUID | None = None,
    actor: str | None = None,
    after: int | None = None,
    limit: int = 100,
) -> list[AuditRecord]:
    require_auditor(principal)
    async with uow:
        rows = await uow.connection.fetch(
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
