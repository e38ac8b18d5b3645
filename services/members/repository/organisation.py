"""Members SQL: regions, sectors, committees and special committees."""

from __future__ import annotations

import asyncpg

from services.members.domain.organisation import Committee, Region, Sector, SpecialCommittee
from shared.db.constraints import explain_violations
from shared.regions import scope_prefix

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

    async def regions(self, scope: str, *, parent_code: str | None) -> list[Region]:
        rows = await self._conn.fetch(
            """SELECT code, name, level, parent_code FROM region
               WHERE code LIKE $1 || '%' AND ($2::text IS NULL OR parent_code = $2)
               ORDER BY code""",
            scope_prefix(scope),
            parent_code,
        )
        return [Region(**dict(r)) for r in rows]

    async def add_region(self, region: Region) -> None:
        with explain_violations(VIOLATIONS):
            await self._conn.execute(
                "INSERT INTO region (code, name, level, parent_code) VALUES ($1, $2, $3, $4)",
                region.code,
                region.name,
                region.level,
                region.parent_code,
            )

    async def sectors(self) -> list[Sector]:
        rows = await self._conn.fetch(
            """SELECT s.code, s.name, s.active,
                      coalesce(array_agg(ARRAY[f.name, f.month::text, f.day::text]
                               ORDER BY f.month, f.day) FILTER (WHERE f.name IS NOT NULL),
                               '{}') AS festivals
               FROM sector s LEFT JOIN sector_festival f ON f.sector_code = s.code
               GROUP BY s.code ORDER BY s.code"""
        )
        return [
            Sector(
                r["code"],
                r["name"],
                r["active"],
                [(n, int(m), int(d)) for n, m, d in r["festivals"]],
            )
            for r in rows
        ]

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

    async def committees(self, scope: str) -> list[Committee]:
        rows = await self._conn.fetch(
            """SELECT code, name, level, region_code FROM committee
               WHERE region_code LIKE $1 || '%' ORDER BY region_code, code""",
            scope_prefix(scope),
        )
        return [Committee(**dict(r)) for r in rows]

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

    async def special_committees(self, scope: str) -> list[SpecialCommittee]:
        rows = await self._conn.fetch(
            """SELECT s.code, s.name, s.committee_code FROM special_committee s
               JOIN committee c ON c.code = s.committee_code
               WHERE c.region_code LIKE $1 || '%' ORDER BY s.code""",
            scope_prefix(scope),
        )
        return [SpecialCommittee(**dict(r)) for r in rows]

    async def add_special_committee(self, s: SpecialCommittee) -> None:
        with explain_violations(VIOLATIONS):
            await self._conn.execute(
                "INSERT INTO special_committee (code, name, committee_code) VALUES ($1, $2, $3)",
                s.code,
                s.name,
                s.committee_code,
            )
