"""Members SQL: regions, sectors, committees and special committees."""

from __future__ import annotations

import asyncpg

from services.members.domain.organisation import Committee, Region, SpecialCommittee
from shared.db.constraints import explain_violations

VIOLATIONS = {
    "region_pk": "the region already exists",
    "region_parent_fk": "the parent region does not exist yet",
    "committee_pk": "the committee code is taken",
    "committee_region_fk": "unknown region_code",
    "committee_external_id_key": "external_id is already used by another committee",
    "special_committee_pk": "the special committee code is taken",
    "special_committee_committee_fk": "unknown committee_code",
    "sector_pk": "the sector code is taken",
    "sector_code_format": "sector codes are lower-case letters, digits and _",
}


class OrganisationRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def region(self, code: str) -> Region | None:
        row = await self._conn.fetchrow(
            "SELECT code, name, level, parent_code FROM region WHERE code = $1", code
        )
        return Region(**dict(row)) if row else None

    async def add_region(self, region: Region) -> None:
        with explain_violations(VIOLATIONS):
            await self._conn.execute(
                "INSERT INTO region (code, name, level, parent_code) VALUES ($1, $2, $3, $4)",
                region.code,
                region.name,
                region.level,
                region.parent_code,
            )

    async def add_sector(self, code: str, name: str) -> None:
        with explain_violations(VIOLATIONS):
            await self._conn.execute("INSERT INTO sector (code, name) VALUES ($1, $2)", code, name)

    async def set_festivals(self, sector_code: str, festivals: list[tuple[str, int, int]]) -> None:
        await self._conn.execute("DELETE FROM sector_festival WHERE sector_code = $1", sector_code)
        await self._conn.executemany(
            "INSERT INTO sector_festival (sector_code, name, month, day) VALUES ($1, $2, $3, $4)",
            [(sector_code, name, month, day) for name, month, day in festivals],
        )

    async def sector_exists(self, code: str) -> bool:
        return bool(await self._conn.fetchval("SELECT 1 FROM sector WHERE code = $1", code))

    async def committee(self, code: str) -> Committee | None:
        row = await self._conn.fetchrow(
            "SELECT code, name, level, region_code FROM committee WHERE code = $1", code
        )
        return Committee(**dict(row)) if row else None

    async def add_committee(self, c: Committee, *, external_id: str | None = None) -> None:
        with explain_violations(VIOLATIONS):
            await self._conn.execute(
                """INSERT INTO committee (code, name, level, region_code, external_id)
                   VALUES ($1, $2, $3, $4, $5)""",
                c.code,
                c.name,
                c.level,
                c.region_code,
                external_id,
            )

    async def add_special_committee(self, s: SpecialCommittee) -> None:
        with explain_violations(VIOLATIONS):
            await self._conn.execute(
                "INSERT INTO special_committee (code, name, committee_code) VALUES ($1, $2, $3)",
                s.code,
                s.name,
                s.committee_code,
            )
