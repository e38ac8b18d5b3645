"""Reads of the organisation: regions, sectors with their festivals, committees."""

from __future__ import annotations

from services.members.domain.access import require_directory_reader
from services.members.domain.organisation import Committee, Region, Sector, SpecialCommittee
from services.members.unit_of_work import MembersUnitOfWork
from shared.auth import Principal
from shared.regions import scope_prefix


async def list_regions(
    *, principal: Principal, uow: MembersUnitOfWork, parent_code: str | None
) -> list[Region]:
    async with uow:
        rows = await uow.connection.fetch(
            """SELECT code, name, level, parent_code FROM region
               WHERE code LIKE $1 || '%' AND ($2::text IS NULL OR parent_code = $2)
               ORDER BY code""",
            scope_prefix(principal.region_code),
            parent_code,
        )
    return [Region(**dict(r)) for r in rows]


async def list_sectors(*, uow: MembersUnitOfWork) -> list[Sector]:
    async with uow:
        rows = await uow.connection.fetch(
            """SELECT s.code, s.name, s.active,
                      coalesce(array_agg(ARRAY[f.name, f.month::text, f.day::text]
                               ORDER BY f.month, f.day) FILTER (WHERE f.name IS NOT NULL),
                               '{}') AS festivals
               FROM sector s LEFT JOIN sector_festival f ON f.sector_code = s.code
               GROUP BY s.code ORDER BY s.code"""
        )
    return [
        Sector(
            r["code"], r["name"], r["active"], [(n, int(m), int(d)) for n, m, d in r["festivals"]]
        )
        for r in rows
    ]


async def list_committees(*, principal: Principal, uow: MembersUnitOfWork) -> list[Committee]:
    require_directory_reader(principal)
    async with uow:
        rows = await uow.connection.fetch(
            """SELECT code, name, level, region_code FROM committee
               WHERE region_code LIKE $1 || '%' ORDER BY region_code, code""",
            scope_prefix(principal.region_code),
        )
    return [Committee(**dict(r)) for r in rows]


async def list_special_committees(
    *, principal: Principal, uow: MembersUnitOfWork
) -> list[SpecialCommittee]:
    require_directory_reader(principal)
    async with uow:
        rows = await uow.connection.fetch(
            """SELECT s.code, s.name, s.committee_code FROM special_committee s
               JOIN committee c ON c.code = s.committee_code
               WHERE c.region_code LIKE $1 || '%' ORDER BY s.code""",
            scope_prefix(principal.region_code),
        )
    return [SpecialCommittee(**dict(r)) for r in rows]
