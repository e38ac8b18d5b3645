"""Members SQL: grassroots units (基层单元), one per member."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from services.members.domain.liaisons import GrassrootsUnit
from shared.db.constraints import explain_violations

_COLUMNS = "id, member_id, name, kind, region_code, address, external_id, linked_at"
VIOLATIONS = {
    "grassroots_unit_member_fk": "unknown member",
    "grassroots_unit_kind_check": "unknown kind of unit",
    "grassroots_unit_one_per_member": "the member already links a unit",
    "grassroots_unit_external_id_key": "external_id is already used by another unit",
}


class UnitRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def for_member(self, member_id: UUID) -> GrassrootsUnit | None:
        """The caller has already found the member inside its scope."""
        row = await self._conn.fetchrow(
            f"SELECT {_COLUMNS} FROM grassroots_unit WHERE member_id = $1",
            member_id,
        )
        return GrassrootsUnit(**dict(row)) if row else None

    async def add(self, unit: GrassrootsUnit) -> None:
        with explain_violations(VIOLATIONS):
            await self._conn.execute(
                f"INSERT INTO grassroots_unit ({_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                *_values(unit),
            )

    async def save(self, unit: GrassrootsUnit) -> None:
        """A re-link keeps the row and its id; what the member links changes."""
        with explain_violations(VIOLATIONS):
            await self._conn.execute(
                """UPDATE grassroots_unit SET member_id = $2, name = $3, kind = $4,
                       region_code = $5, address = $6, external_id = $7, linked_at = $8
                   WHERE id = $1""",
                *_values(unit),
            )


def _values(u: GrassrootsUnit) -> tuple[object, ...]:
    return (u.id, u.member_id, u.name, u.kind, u.region_code, u.address, u.external_id, u.linked_at)
