"""Names of the rows a KPI table is grouped by: members and workstations (never in the feed)."""

from __future__ import annotations

from uuid import UUID

from services.reporting.views.kpi import GroupBy
from shared.db.pool import DbConnection


async def row_labels(
    conn: DbConnection, group_by: GroupBy | None, keys: list[str]
) -> dict[str, str]:
    """Members are shown by name to those allowed to see them; other groups by their code."""
    if group_by == "workstation":
        return await workstation_names(conn, keys)
    if group_by != "member":
        return {}
    return await member_names(conn, [UUID(k) for k in keys])


async def member_names(conn: DbConnection, member_ids: list[UUID]) -> dict[str, str]:
    rows = await conn.fetch(
        "SELECT member_id::text AS id, full_name FROM member_dim WHERE member_id = ANY($1)",
        member_ids,
    )
    return {r["id"]: r["full_name"] for r in rows if r["full_name"]}


async def workstation_names(conn: DbConnection, keys: list[str]) -> dict[str, str]:
    ids = [UUID(k) for k in keys if k != "-"]
    rows = await conn.fetch(
        "SELECT workstation_id::text AS id, name FROM workstation WHERE workstation_id = ANY($1)",
        ids,
    )
    return {r["id"]: r["name"] for r in rows if r["name"]}
