"""Members SQL: the member table."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from services.members.domain.members import Member, MemberStatus
from shared.db.constraints import explain_violations
from shared.regions import scope_prefix

COLUMNS = (
    "id, full_name, sector_code, committee_code, region_code, status, registered_at, "
    "special_committee_code, term, title, external_id, updated_at"
)
VIOLATIONS = {
    "member_sector_fk": "unknown sector_code",
    "member_committee_fk": "unknown committee_code",
    "member_special_committee_fk": "unknown special_committee_code",
    "member_region_fk": "unknown region_code",
    "member_external_id_key": "external_id is already used by another member",
}


class MemberRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def add(self, m: Member) -> None:
        with explain_violations(VIOLATIONS):
            await self._conn.execute(
                f"INSERT INTO member ({COLUMNS}) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                *_values(m),
            )

    async def save(self, m: Member) -> None:
        with explain_violations(VIOLATIONS):
            await self._conn.execute(
                """UPDATE member SET full_name = $2, sector_code = $3, committee_code = $4,
                       region_code = $5, status = $6, registered_at = $7,
                       special_committee_code = $8, term = $9, title = $10, external_id = $11,
                       updated_at = $12
                   WHERE id = $1""",
                *_values(m),
            )

    async def get_in_scope(
        self, member_id: UUID, scope: str, *, lock: bool = False
    ) -> Member | None:
        row = await self._conn.fetchrow(
            f"SELECT {COLUMNS} FROM member WHERE id = $1 AND region_code LIKE $2 || '%'"
            + (" FOR UPDATE" if lock else ""),
            member_id,
            scope_prefix(scope),
        )
        return from_row(row) if row else None

    async def get_by_external_id(self, external_id: str) -> Member | None:
        row = await self._conn.fetchrow(
            f"SELECT {COLUMNS} FROM member WHERE external_id = $1",
            external_id,
        )
        return from_row(row) if row else None


def _values(m: Member) -> tuple[object, ...]:
    return (
        m.id,
        m.full_name,
        m.sector_code,
        m.committee_code,
        m.region_code,
        m.status.value,
        m.registered_at,
        m.special_committee_code,
        m.term,
        m.title,
        m.external_id,
        m.updated_at,
    )


def from_row(row: asyncpg.Record) -> Member:
    return Member(
        id=row["id"],
        full_name=row["full_name"],
        sector_code=row["sector_code"],
        committee_code=row["committee_code"],
        region_code=row["region_code"],
        status=MemberStatus(row["status"]),
        registered_at=row["registered_at"],
        special_committee_code=row["special_committee_code"],
        term=row["term"],
        title=row["title"],
        external_id=row["external_id"],
        updated_at=row["updated_at"],
    )
