"""Members' SQL (asyncpg, $n parameters). Never commits: the unit of work does."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from services.members.domain import Member, MemberStatus
from shared.regions import scope_prefix

_COLUMNS = "id, full_name, sector_code, committee_code, region_code, status, registered_at"


class MemberRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, member: Member) -> None:
        await self._conn.execute(
            f"INSERT INTO member ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)",  # noqa: S608
            member.id,
            member.full_name,
            member.sector_code,
            member.committee_code,
            member.region_code,
            member.status.value,
            member.registered_at,
        )

    async def get_in_scope(self, member_id: UUID, scope: str) -> Member | None:
        row = await self._conn.fetchrow(
            f"SELECT {_COLUMNS} FROM member WHERE id = $1 AND region_code LIKE $2 || '%'",  # noqa: S608
            member_id,
            scope_prefix(scope),
        )
        return _member(row) if row else None

    async def list_in_scope(
        self, scope: str, *, sector_code: str | None, after: UUID | None, limit: int
    ) -> list[Member]:
        rows = await self._conn.fetch(
            f"""SELECT {_COLUMNS} FROM member
                WHERE region_code LIKE $1 || '%'
                  AND ($2::text IS NULL OR sector_code = $2)
                  AND ($3::uuid IS NULL OR id > $3)
                ORDER BY id LIMIT $4""",  # noqa: S608
            scope_prefix(scope),
            sector_code,
            after,
            limit,
        )
        return [_member(r) for r in rows]


def _member(row: asyncpg.Record) -> Member:
    return Member(
        id=row["id"],
        full_name=row["full_name"],
        sector_code=row["sector_code"],
        committee_code=row["committee_code"],
        region_code=row["region_code"],
        status=MemberStatus(row["status"]),
        registered_at=row["registered_at"],
    )
