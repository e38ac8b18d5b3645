"""Contact records and obligations as the GET endpoints read them: scoped by region and, for
members, by owner."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from shared.db.pool import DbConnection
from shared.regions import scope_prefix

_VISIT_COLUMNS = """r.id, r.member_id, r.region_code, r.sector_code, r.channel, r.occasion,
    r.occurred_on, r.place_kind, r.place_id, r.place_name, r.liaison_ids, r.people_reached,
    r.heart_to_heart_talks, r.summary, r.evidence, r.recorded_by_role, r.recorded_at,
    coalesce((SELECT array_agg(o.id) FROM obligation o WHERE o.fulfilled_by = r.id), '{}')
        AS fulfilled_obligation_ids"""
_OBLIGATION_COLUMNS = """id, member_id, region_code, sector_code, special_committee_code,
    occasion_kind, source_id, title, liaison_id, opened_at, due_on, status, escalation_level,
    escalated_to, fulfilled_by, fulfilled_on"""


async def visits(
    conn: DbConnection,
    *,
    scope: str,
    member_id: UUID | None,
    occasion: str | None,
    since: date | None,
    after: UUID | None,
    limit: int,
) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"""SELECT {_VISIT_COLUMNS} FROM contact_record r
            WHERE r.region_code LIKE $1 || '%' AND ($2::uuid IS NULL OR r.member_id = $2)
              AND ($3::text IS NULL OR r.occasion = $3)
              AND ($4::date IS NULL OR r.occurred_on >= $4)
              AND ($5::uuid IS NULL OR r.id > $5)
            ORDER BY r.id LIMIT $6""",
        scope_prefix(scope),
        member_id,
        occasion,
        since,
        after,
        limit,
    )
    return [dict(r) for r in rows]


async def visit(
    conn: DbConnection, visit_id: UUID, *, scope: str, member_id: UUID | None
) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        f"""SELECT {_VISIT_COLUMNS} FROM contact_record r
            WHERE r.id = $1 AND r.region_code LIKE $2 || '%'
              AND ($3::uuid IS NULL OR r.member_id = $3)""",
        visit_id,
        scope_prefix(scope),
        member_id,
    )
    return dict(row) if row else None


async def obligations(
    conn: DbConnection,
    *,
    scope: str,
    member_id: UUID | None,
    statuses: list[str] | None,
    occasion_kind: str | None,
    after: UUID | None,
    limit: int,
) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        f"""SELECT {_OBLIGATION_COLUMNS} FROM obligation
            WHERE region_code LIKE $1 || '%' AND ($2::uuid IS NULL OR member_id = $2)
              AND ($3::text[] IS NULL OR status = ANY($3))
              AND ($4::text IS NULL OR occasion_kind = $4)
              AND ($5::uuid IS NULL OR id > $5)
            ORDER BY id LIMIT $6""",
        scope_prefix(scope),
        member_id,
        statuses,
        occasion_kind,
        after,
        limit,
    )
    return [dict(r) for r in rows]


async def obligation(
    conn: DbConnection, obligation_id: UUID, *, scope: str, member_id: UUID | None
) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        f"""SELECT {_OBLIGATION_COLUMNS} FROM obligation
            WHERE id = $1 AND region_code LIKE $2 || '%'
              AND ($3::uuid IS NULL OR member_id = $3)""",
        obligation_id,
        scope_prefix(scope),
        member_id,
    )
    return dict(row) if row else None


async def sweep_runs(conn: DbConnection) -> list[dict[str, Any]]:
    """The last pass of the obligation sweep per trigger (schedule, on demand)."""
    rows = await conn.fetch(
        """SELECT trigger, requested_by, started_at, finished_at, overdue, escalated
           FROM obligation_sweep_run ORDER BY trigger DESC"""
    )
    return [dict(r) for r in rows]
