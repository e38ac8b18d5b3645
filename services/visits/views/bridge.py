"""Assignments to the disposal platform as staff watch them: sent, waiting or failed."""

from __future__ import annotations

from uuid import UUID

from services.visits.domain.concerns import may_manage_bridge
from services.visits.repository.bridge import COLUMNS, Dispatch
from shared.auth import Principal
from shared.db.pool import DbConnection
from shared.errors import Forbidden
from shared.regions import scope_prefix


async def dispatches(
    conn: DbConnection,
    principal: Principal,
    *,
    status: str | None,
    after: UUID | None,
    limit: int,
) -> list[Dispatch]:
    """Staff only, in their region, in id order (cursor: `after`)."""
    if not may_manage_bridge(principal):
        raise Forbidden(f"role {principal.role.value} may not manage the bridge")
    rows = await conn.fetch(
        f"""SELECT {COLUMNS} FROM concern_dispatch
            WHERE region_code LIKE $1 || '%' AND ($2::text IS NULL OR status = $2)
              AND ($3::uuid IS NULL OR id > $3)
            ORDER BY id LIMIT $4""",
        scope_prefix(principal.region_code),
        status,
        after,
        limit,
    )
    return [Dispatch(**dict(r)) for r in rows]
